/** A one-line progress bar, redrawn in place on a terminal at most ten times a second. */
export function progressBar(out: { write(text: string): unknown }, total: number, label: string) {
  let last = 0;
  const draw = (done: number) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    const percent = Math.floor((done / total) * 100);
    out.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${percent}% ${done}/${total}`);
  };
  return {
    update(done: number) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(Math.min(done, total));
    },
    finish(done: number) {
      draw(Math.min(done, total));
      out.write('\n');
    },
  };
}
