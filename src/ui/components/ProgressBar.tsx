import type { FileProgress } from '../state/types.ts';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** One package file's download: bytes so far of its size, and where it came from once done. */
export function FileProgressBar({ file }: { readonly file: FileProgress }) {
  const total = Math.max(file.total, file.loaded);
  const where =
    file.from === 'cache'
      ? 'from the browser cache'
      : file.from === 'memory'
        ? 'already in memory'
        : file.from === 'network'
          ? 'downloaded'
          : '';
  return (
    <div className="file-progress" data-file={file.file} data-done={file.done}>
      <span className="file-name">{file.file}</span>
      <progress max={total || 1} value={file.done ? total || 1 : file.loaded} aria-label={`${file.file} download`} />
      <span className="file-bytes">
        {formatBytes(file.loaded)}
        {total ? ` / ${formatBytes(total)}` : ''} {file.done ? where : ''}
      </span>
    </div>
  );
}
