/**
 * Streams a file into place atomically: the writer fills a temp file in the target's
 * folder, it is fsynced, then renamed over the target, so a reader (or a crash) never
 * sees half a checkpoint. core's writeFileAtomic wants the bytes up front; weights
 * are written tensor by tensor instead, so they never sit in memory as one buffer.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileStreamAtomic(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}
