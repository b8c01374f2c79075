/**
 * The note a photo with an EXIF orientation tag gets: the page tokenizes the stored pixels, as
 * the official code does (Pillow ignores the tag), so a phone photo may look sideways; one click
 * turns it as photo viewers show it, and the exported tokens and metrics record which was used.
 */
import { describeOrientation, type OrientationUse } from '../../core/image/image-header.ts';
import { setOrientationApplied } from '../actions/open-image.ts';

export function OrientationNote({ orientation }: { readonly orientation: OrientationUse }) {
  const { exif, applied } = orientation;
  const words = describeOrientation(exif);
  return (
    <p
      className="note orientation-note"
      role="status"
      data-testid="orientation-note"
      data-exif={exif}
      data-applied={String(applied)}
    >
      {applied ? (
        <>
          Turned as displayed (EXIF orientation {exif}: {words}). The official code tokenizes the stored pixels, so its
          tokens differ from these; exported tokens and metrics record the turn.{' '}
          <button type="button" onClick={() => void setOrientationApplied(false)}>
            Use the stored pixels
          </button>
        </>
      ) : (
        <>
          This photo carries EXIF orientation {exif} ({words} when displayed). It is tokenized as stored, as the
          official code does (Pillow ignores the tag), so it may look turned here.{' '}
          <button type="button" onClick={() => void setOrientationApplied(true)}>
            Rotate as displayed
          </button>
        </>
      )}
    </p>
  );
}
