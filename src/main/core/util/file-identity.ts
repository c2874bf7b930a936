/** Which file a path names on its device, whatever its name: "device:inode". */
export function fileIdentity(st: { dev: number; ino: number }): string {
  return `${st.dev}:${st.ino}`;
}
