/**
 * A spinner on one terminal line while `connector test` waits for steps; nothing at all when the
 * output is not live (CI, a pipe), where plain lines are all a log should hold.
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  /** Show (or relabel) the spinner. */
  start(label: string): void;
  /** Clear the line, so the next line printed starts at column 0. Call before writing a step line. */
  stop(): void;
}

/** `write` is the raw stream write (no newline added): the spinner redraws its line with `\r`. */
export function progress(io: { write(text: string): void; live: boolean }, intervalMs = 80): Progress {
  if (!io.live) return { start() {}, stop() {} };
  let timer: ReturnType<typeof setInterval> | undefined;
  let frame = 0;
  let text = '';
  const draw = () => io.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${text}`);
  return {
    start(label) {
      text = label;
      draw();
      if (!timer) {
        timer = setInterval(draw, intervalMs);
        // A spinner must never keep the process alive.
        timer.unref?.();
      }
    },
    stop() {
      if (!timer) return;
      clearInterval(timer);
      timer = undefined;
      io.write('\r\x1b[K');
    },
  };
}
