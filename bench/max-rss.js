// @ts-check
// Preloaded with `node --import` into a command under measurement: reports its peak resident memory on exit.
process.on('exit', () => {
  process.stderr.write(`maxRSSKiB=${process.resourceUsage().maxRSS}\n`);
});
