/**
 * A file input opened by a visible button elsewhere: hidden, out of the Tab order (the button is
 * the Tab stop), emptied after each choice so choosing the same file again fires again.
 */
import type { Ref } from 'react';

interface Props {
  readonly ref: Ref<HTMLInputElement>;
  readonly label: string;
  readonly onFiles: (files: FileList) => void;
  readonly accept?: string;
  readonly id?: string;
  readonly testId?: string;
  /** Pick a whole folder (webkitdirectory). */
  readonly folder?: boolean;
}

export function HiddenFileInput({ ref, label, onFiles, accept, id, testId, folder }: Props) {
  return (
    <input
      ref={ref}
      id={id}
      data-testid={testId}
      type="file"
      accept={accept}
      // React passes unknown lower-case attributes through; webkitdirectory is not in its types.
      {...(folder ? { webkitdirectory: '', directory: '' } : {})}
      className="visually-hidden"
      tabIndex={-1}
      aria-label={label}
      onChange={(e) => {
        if (e.target.files && e.target.files.length > 0) onFiles(e.target.files);
        e.target.value = '';
      }}
    />
  );
}
