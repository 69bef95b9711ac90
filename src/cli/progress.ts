/** Progress of live collection on stderr: a spinner line on a terminal, plain lines otherwise, nothing on stdout. */
import type { CliIo } from './io.js';

export interface ProgressLike {
  source: string;
  state: 'start' | 'ok' | 'denied' | 'error' | 'absent';
  detail?: string;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SYMBOL: Record<Exclude<ProgressLike['state'], 'start'>, string> = {
  ok: '✓',
  denied: '✗',
  error: '!',
  absent: '-',
};

export function progressPrinter(io: CliIo): { onProgress: (e: ProgressLike) => void; done: () => void } {
  const pending = new Set<string>();
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (!io.stderrIsTTY) return;
    const names = [...pending].join(', ');
    io.stderr(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} collecting: ${names}`);
  };
  const clearLine = () => {
    if (io.stderrIsTTY) io.stderr('\r\x1b[2K');
  };
  return {
    onProgress(e) {
      if (e.state === 'start') {
        pending.add(e.source);
        if (!io.stderrIsTTY) io.stderr(`collecting ${e.source}…\n`);
        else timer ??= setInterval(draw, 80);
        draw();
        return;
      }
      pending.delete(e.source);
      clearLine();
      io.stderr(`${SYMBOL[e.state]} ${e.source}: ${e.state}${e.detail ? ` (${e.detail})` : ''}\n`);
      draw();
    },
    done() {
      if (timer) clearInterval(timer);
      clearLine();
    },
  };
}
