import { promises as fs } from 'node:fs';

/**
 * The text of the small file at `path`, or undefined when there is none. A file over `maxBytes`
 * is refused before it is read, with the error `tooLarge` makes of its size.
 */
export async function readBoundedText(path: string, maxBytes: number, tooLarge: (size: number) => Error): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw tooLarge(size);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
