/**
 * DEVELOPMENT ONLY. A self-signed certificate for `localhost`, `127.0.0.1`
 * and `::1`, with its private key published right here: anyone can
 * impersonate a server that uses it. It exists so that `spdyd`, `npm start`
 * and the tests run over TLS with no setup on machines without `openssl`.
 * Never use it for anything reachable from a network. Valid 2020-2049.
 */
export const DEV_ONLY_LOCALHOST_CERT = `
-----BEGIN CERTIFICATE-----
MIIB5zCCAY2gAwIBAgICEAAwCgYIKoZIzj0EAwIwPDESMBAGA1UEAwwJbG9jYWxo
b3N0MSYwJAYDVQQKDB1zcGR5LXN0cmVhbXMgZGV2ZWxvcG1lbnQgb25seTAeFw0y
MDAxMDEwMDAwMDBaFw00OTEyMzEyMzU5NTlaMDwxEjAQBgNVBAMMCWxvY2FsaG9z
dDEmMCQGA1UECgwdc3BkeS1zdHJlYW1zIGRldmVsb3BtZW50IG9ubHkwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAATwuh9YZrgRn3/yfbQoDyGBRrtlGei74N0S08rW
0igyu9/FlM+DLV7+oceFvocSGx9oW628H2P2R576pmzseUQ7o38wfTAsBgNVHREE
JTAjgglsb2NhbGhvc3SHBH8AAAGHEAAAAAAAAAAAAAAAAAAAAAEwDAYDVR0TAQH/
BAIwADALBgNVHQ8EBAMCBaAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYE
FJJN2xko6bhqBeHovBx9PNywp/XPMAoGCCqGSM49BAMCA0gAMEUCIFZF5eNzuGJ0
I/TZgz4SKtUYpHIdUHNCaTq8Mj/ICiGtAiEA7AOy3MB5r94uea/jKnLvVFKcXPY2
4G+4S1cLkgD2Ja0=
-----END CERTIFICATE-----
`.trimStart();

/** DEVELOPMENT ONLY: the private key of `DEV_ONLY_LOCALHOST_CERT`, published on purpose. */
export const DEV_ONLY_LOCALHOST_KEY = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgECP0jM6TPzjdDaKS
Y6S1jIgUrnjJXiddW66l0sz+DJuhRANCAATwuh9YZrgRn3/yfbQoDyGBRrtlGei7
4N0S08rW0igyu9/FlM+DLV7+oceFvocSGx9oW628H2P2R576pmzseUQ7
-----END PRIVATE KEY-----
`.trimStart();
