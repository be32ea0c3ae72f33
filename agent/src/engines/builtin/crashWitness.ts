/**
 * Picks, from what a dying llama.cpp child printed on stderr, the line that says what failed.
 *
 * llama.cpp aborts with `GGML_ASSERT(…) failed` or logs `error loading model …`, and then — on a
 * machine without gdb — libc prints its own backtrace frames (`…libc.so.6(+0x1098ec)[0x7f…]`)
 * after it. The last line is therefore usually noise; the reason is the last line that names a
 * failure, however many frames followed it. When no line names one, the last line that is not a
 * backtrace frame is the best witness left.
 */

/** Lines that state a failure, in the words llama.cpp, ggml, libc and the C++ runtime use. */
const FAILURE_LINE = [
  /GGML_ASSERT\(.*\) failed/,
  /\berror loading model\b/i,
  /\bfailed to load model\b/i,
  /\bAssertion .* failed\b/,
  /\bterminate called\b/,
  /\bSegmentation fault\b|\bAborted\b/,
];

/** Backtrace frames and debugger chatter: never a reason on their own. */
const NOISE_LINE = [
  /^\s*\S*\(\S*\+0x[0-9a-f]+\)\s*\[0x[0-9a-f]+\]\s*$/i, // glibc backtrace_symbols: lib.so(+0x12)[0x7f…]
  /^\s*\S+\s*\[0x[0-9a-f]+\]\s*$/i, // a frame without a symbol: ./a.out[0x40…]
  /^\s*#\d+\s+0x[0-9a-f]+/i, // gdb frame: #3  0x00007f… in …
  /^\s*(\[New LWP|\[Thread debugging|\[Inferior|Using host libthread_db|ptrace:|No stack\.|warning: )/,
];

/** Lines of stderr kept besides the failure line (to fall back on when none names a failure). */
const TAIL_LINES_KEPT = 20;

export class CrashWitness {
  private failure: string | undefined;
  private readonly tail: string[] = [];

  /** Feeds one line of the child's stderr, in order. */
  observe(line: string): void {
    if (line.trim() === '') return;
    if (FAILURE_LINE.some((re) => re.test(line))) this.failure = line.trim();
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES_KEPT) this.tail.shift();
  }

  /** The line that explains the exit: the last failure line, else the last line that is not noise. */
  reason(): string | undefined {
    if (this.failure) return this.failure;
    return this.tail.filter((l) => !NOISE_LINE.some((re) => re.test(l))).at(-1)?.trim();
  }
}
