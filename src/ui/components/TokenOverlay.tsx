/**
 * Drawn over an image of the active model (the crop, a reconstruction, the difference): the
 * nominal cell (logic/token-region.ts) of the selected token — solid — and of the hovered one —
 * dashed — at whatever scale they are, and optionally the shown scale's grid. Pointing at the
 * image hovers the token of the shown scale there; clicking selects it.
 */
import type { MouseEvent } from 'react';
import { hoverToken, selectToken } from '../actions/select-token.ts';
import { flatIndex, positionOf, shownScaleIndex, type TokenLayout } from '../logic/token-layout.ts';
import { gridLines, tokenAtPoint, tokenCell } from '../logic/token-region.ts';
import { activeModel, usePlayground } from '../state/store.ts';

function Cell({
  layout,
  token,
  size,
  className,
}: {
  readonly layout: TokenLayout;
  readonly token: number;
  readonly size: number;
  readonly className: string;
}) {
  const c = tokenCell(layout, positionOf(layout, token), size);
  return (
    <rect
      className={className}
      x={c.x}
      y={c.y}
      width={c.width}
      height={c.height}
      vectorEffect="non-scaling-stroke"
      data-box={`${c.x},${c.y},${c.width},${c.height}`}
    />
  );
}

export function TokenOverlay({ size, name }: { readonly size: number; readonly name: string }) {
  const model = usePlayground(activeModel);
  const selected = usePlayground((s) => s.selected);
  const hovered = usePlayground((s) => s.hovered);
  const grid = usePlayground((s) => s.gridOverlay);
  const scaleIndex = usePlayground((s) => s.scaleIndex);
  const layout = model?.layout;
  const tokens = model?.tokens;
  if (!layout || !tokens) return null;
  const si = shownScaleIndex(layout, scaleIndex, tokens.length);
  const side = layout.scales[si];
  const valid = (t: number | undefined): t is number => t !== undefined && t < tokens.length;
  const tokenAt = (e: MouseEvent<SVGSVGElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const p = tokenAtPoint(
      layout,
      si,
      ((e.clientX - r.left) / r.width) * size,
      ((e.clientY - r.top) / r.height) * size,
      size,
    );
    return flatIndex(layout, p);
  };
  const lines = grid ? gridLines(side, size) : [];
  return (
    <svg
      className="token-overlay"
      viewBox={`0 0 ${size} ${size}`}
      preserveAspectRatio="none"
      aria-hidden="true"
      data-testid={`overlay-${name}`}
      data-selected={valid(selected) ? selected : ''}
      onPointerMove={(e) => {
        const t = tokenAt(e);
        if (t !== usePlayground.getState().hovered) hoverToken(t);
      }}
      onPointerLeave={() => hoverToken(undefined)}
      onClick={(e) => selectToken(tokenAt(e))}
    >
      {lines.length > 0 && (
        <g className="grid-lines" data-testid={`grid-${name}`} data-side={side}>
          {lines.map((v) => (
            <line key={`v${v}`} x1={v} x2={v} y1={0} y2={size} vectorEffect="non-scaling-stroke" />
          ))}
          {lines.map((v) => (
            <line key={`h${v}`} y1={v} y2={v} x1={0} x2={size} vectorEffect="non-scaling-stroke" />
          ))}
        </g>
      )}
      {valid(hovered) && hovered !== selected && (
        <Cell layout={layout} token={hovered} size={size} className="hovered-cell" />
      )}
      {valid(selected) && <Cell layout={layout} token={selected} size={size} className="selected-cell" />}
    </svg>
  );
}
