// One end of an end-to-end benchmark in its own process:
//   node bench/peer.mjs server|client <stack>
// loads bench/stacks/<stack>.mjs and runs its `server` or `client` commands
// as the parent (bench/lib/peers.mjs) asks over IPC, answering each with its
// result. A server starts listening at once and reports its port.
const [role, stack] = process.argv.slice(2);
const mod = await import(`./stacks/${stack}.mjs`);
const commands = mod[role];
if (!commands) throw new Error(`stack ${stack} has no ${role}`);

process.on('message', async ({ id, cmd, args }) => {
  try {
    const result = await commands[cmd](...(args ?? []));
    process.send({ id, result });
  } catch (err) {
    process.send({ id, error: String(err?.stack ?? err) });
  }
});
// The parent going away ends us; exiting normally lets --cpu-prof write its profile.
process.on('disconnect', () => process.exit(0));
process.send({ id: 0, result: role === 'server' ? await commands.listen() : null });
