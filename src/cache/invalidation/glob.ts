/**
 * A matcher for glob patterns over keys: `*` is any run of characters (`/` and `:`
 * included, keys are flat), `?` is one character; everything else is literal.
 */
export function globMatcher(pattern: string): (key: string) => boolean {
  let source = '^';
  for (const char of pattern) {
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else source += char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  const regex = new RegExp(source + '$', 'u');
  return (key) => regex.test(key);
}
