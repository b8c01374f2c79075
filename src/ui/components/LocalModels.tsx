/**
 * Models that live in this browser rather than at a URL: the checkpoint conversion in progress,
 * the converted packages kept in OPFS (load, remove), and adding a package folder from disk.
 */
import { useRef } from 'react';
import { addModelFolder } from '../actions/add-model-folder.ts';
import { cancelConversion, convertAndLoad } from '../actions/convert-checkpoint.ts';
import { addModelFromSource } from '../actions/load-model.ts';
import { removeStoredModel } from '../actions/stored-models.ts';
import { usePlayground } from '../state/store.ts';
import type { ConversionView } from '../state/types.ts';
import { HiddenFileInput } from './HiddenFileInput.tsx';
import { formatBytes } from './ProgressBar.tsx';

function Conversion({ c }: { readonly c: ConversionView }) {
  return (
    <div className="conversion" data-testid="conversion" data-phase={c.phase} data-stage={c.stage} aria-live="polite">
      <p>
        <strong>{c.fileName}</strong> ({formatBytes(c.fileBytes)}):{' '}
        <span data-testid="conversion-stage">{c.message}</span>
      </p>
      {c.phase === 'running' && (
        // The package is about as large as the checkpoint's weights, so that is the bar's scale.
        <progress
          max={c.fileBytes || 1}
          value={Math.min(c.bytesWritten, c.fileBytes)}
          aria-label={`converting ${c.fileName}`}
        />
      )}
      {c.phase === 'running' && (
        <p className="note">
          {formatBytes(c.bytesWritten)} written{' '}
          <button type="button" onClick={cancelConversion}>
            Cancel
          </button>
        </p>
      )}
      {c.memoryReason && <p className="note">Kept in memory only: {c.memoryReason}</p>}
      {c.error && (
        <p className="error" role="alert" data-testid="conversion-error">
          Could not convert: {c.error}
        </p>
      )}
    </div>
  );
}

export function LocalModels() {
  const conversion = usePlayground((s) => s.conversion);
  const stored = usePlayground((s) => s.storedModels);
  const storedError = usePlayground((s) => s.storedError);
  const checkpointPicker = useRef<HTMLInputElement>(null);
  const folderPicker = useRef<HTMLInputElement>(null);
  return (
    <div className="local-models">
      <p>
        Drop a released checkpoint (<code>.pt</code> or <code>.safetensors</code>) on the image area, or{' '}
        <button type="button" onClick={() => checkpointPicker.current?.click()}>
          convert a checkpoint
        </button>{' '}
        — it is converted here, in your browser, and kept for your next visit.{' '}
        <button type="button" onClick={() => folderPicker.current?.click()}>
          Add a model folder
        </button>
        <HiddenFileInput
          ref={checkpointPicker}
          testId="checkpoint-file"
          accept=".pt,.pth,.ckpt,.bin,.safetensors"
          label="Choose a checkpoint to convert"
          onFiles={(files) => void convertAndLoad(files[0])}
        />
        <HiddenFileInput
          ref={folderPicker}
          testId="model-folder"
          folder
          label="Choose a model package folder"
          onFiles={(files) => void addModelFolder(files)}
        />
      </p>
      {conversion && <Conversion c={conversion} />}
      {stored && stored.length > 0 && (
        <div className="stored-models" data-testid="stored-models">
          <h3>Converted in this browser</h3>
          <ul>
            {stored.map((s) => (
              <li key={s.folder} data-testid="stored-model" data-folder={s.folder}>
                <span>
                  {s.name}{' '}
                  <span className="note">
                    ({formatBytes(s.bytes)}, from {s.sourceFile || 'unknown'})
                  </span>
                </span>{' '}
                <button type="button" onClick={() => void addModelFromSource({ kind: 'opfs', folder: s.folder })}>
                  Load
                </button>{' '}
                <button
                  type="button"
                  onClick={() => void removeStoredModel(s.folder)}
                  aria-label={`Delete the converted ${s.name}`}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {storedError && (
        <p className="error" role="alert">
          {storedError}
        </p>
      )}
    </div>
  );
}
