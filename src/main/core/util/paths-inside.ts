/** Whether a path is a folder itself or lies below it, by path segments ("/a/bc" is not inside "/a/b"). */
import { sep } from 'node:path';

export function isAtOrBelow(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
}

/** The prefix that every path strictly below `folder` starts with. */
export function belowPrefix(folder: string): string {
  return folder.endsWith(sep) ? folder : `${folder}${sep}`;
}
