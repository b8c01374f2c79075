/**
 * report.html: the summary as one self-contained page (inline CSS, images as data URIs, no
 * script), so it can be mailed or attached to an issue as a single file.
 */
import type { Distribution } from '../../core/metrics/distribution.ts';
import type { DatasetSummary, ImageBrief } from './summary.ts';
import type { ThumbnailPair } from './thumbnails.ts';

export function renderHtmlReport(s: DatasetSummary, thumbs: ReadonlyMap<string, ThumbnailPair>): string {
  const f = s.files;
  const ds = s.codebook.dataset;
  return (
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>TokenFlow dataset report: ${esc(s.model.name)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f5f5f5}
td.l,th.l{text-align:left}.ok{color:#16794a}.warning{color:#9a6700}.error,.unreadable{color:#c62828}.skipped{color:#666}
.grid{display:flex;flex-wrap:wrap;gap:14px}.card{border:1px solid #ddd;border-radius:6px;padding:8px;width:276px}
.card img{width:128px;height:128px;image-rendering:pixelated;background:#eee}.pair{display:flex;gap:6px}
.cap{font-size:12px;color:#555;word-break:break-all}.bar{display:inline-block;height:10px;background:#4a7bd0}
code{background:#f3f3f3;padding:0 3px}
</style>
</head>
<body>
<h1>TokenFlow dataset report</h1>
<p>Model <b>${esc(s.model.name)}</b> (${esc(s.model.variant)}, ${s.model.inputSize}px, K=${s.model.codebookSize}, ` +
    `${s.model.numTokens} tokens over scales ${s.model.scales.join(', ')}) from <code>${esc(s.model.package)}</code>;
input <code>${esc(s.input)}</code>; written ${esc(s.createdAt)}.</p>
<table><tr><th>files</th><th class="ok">ok</th><th class="warning">warning</th><th class="error">error</th>` +
    `<th class="unreadable">unreadable</th><th class="skipped">skipped</th></tr>
<tr><td>${f.total}</td><td>${f.ok}</td><td>${f.warning}</td><td>${f.error}</td><td>${f.unreadable}</td><td>${f.skipped}</td></tr></table>

<h2>Metrics</h2>
<p>Standard metrics compare the uint8 ${s.model.inputSize}×${s.model.inputSize} crop the model saw ` +
    `with the uint8 reconstruction (data range 255; SSIM with a Gaussian σ=1.5 window).
The <em>official eval</em> columns reproduce <code>reconstruction_vq_ddp.py</code>: ` +
    `SSIM there uses data_range=2.0 on [0,1] images and a 7×7 uniform window, which inflates it.</p>
<table><tr><th class="l">metric</th><th>n</th><th>mean</th><th>min</th><th>p10</th><th>median</th><th>p90</th><th>max</th></tr>
${distRow('PSNR (dB)', s.metrics.psnr, 2)}
${distRow('SSIM', s.metrics.ssim, 4)}
${distRow('PSNR, official eval (dB)', s.metrics.official.psnr, 2)}
${distRow('SSIM, official eval (inflated)', s.metrics.official.ssim, 4)}
${distRow('distinct codes per image', s.codebook.distinctPerImage, 1)}
</table>

<h2>Codebook usage</h2>
<p>All images together use <b>${ds.distinct}</b> of ${s.codebook.K} codes (${pct(ds.usage)}), ` +
    `perplexity ${ds.perplexity.toFixed(1)}, over ${ds.tokens} tokens of ${ds.images} images.
One image has ${s.codebook.tokensPerImage} tokens, ` +
    `so it can use at most ${pct(Math.min(1, s.codebook.tokensPerImage / s.codebook.K))} of the codebook.</p>
${histogramTable(s)}

<h2>Health</h2>
${healthSection(s)}

<h2>Worst reconstructions (lowest PSNR)</h2>
${cards(s.worst, thumbs)}
<h2>Best reconstructions (highest PSNR)</h2>
${cards(s.best, thumbs)}

<h2>Files not processed</h2>
${notProcessed(s)}
${s.notes.length ? `<h2>Notes</h2><ul>${s.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<p class="cap">Per-image details: results.jsonl; tokens: tokens.bin (format in docs/dataset-tokens.md). ` +
    `Mean ${num(s.timing.meanMsPerImage, 0)} ms per image.</p>
</body>
</html>
`
  );
}

function distRow(label: string, d: Distribution, digits: number): string {
  const c = (v: number | null) => `<td>${num(v, digits)}</td>`;
  const extra = d.nonFinite ? ` (+${d.nonFinite} exact)` : '';
  return (
    `<tr><td class="l">${esc(label)}</td><td>${d.count}${extra}</td>` +
    `${c(d.mean)}${c(d.min)}${c(d.p10)}${c(d.median)}${c(d.p90)}${c(d.max)}</tr>`
  );
}

function histogramTable(s: DatasetSummary): string {
  const h = s.codebook.distinctHistogram;
  const most = Math.max(1, ...h.counts);
  const rows = h.counts
    .map(
      (n, i) =>
        `<tr><td class="l">${h.edges[i].toFixed(0)}–${h.edges[i + 1].toFixed(0)}</td><td>${n}</td>` +
        `<td class="l"><span class="bar" style="width:${Math.round((200 * n) / most)}px"></span></td></tr>`,
    )
    .join('\n');
  return `<table><tr><th class="l">distinct codes per image</th><th>images</th><th class="l"></th></tr>\n${rows}</table>`;
}

function healthSection(s: DatasetSummary): string {
  const checks = Object.entries(s.health.byCheck);
  if (checks.length === 0) return '<p class="ok">No findings.</p>';
  const checkRows = checks
    .map(
      ([check, sev]) =>
        `<tr><td class="l">${esc(check)}</td><td>${sev.error ?? 0}</td><td>${sev.warning ?? 0}</td><td>${sev.info ?? 0}</td></tr>`,
    )
    .join('\n');
  const stages = Object.entries(s.health.byFirstStage)
    .map(([stage, n]) => `<tr><td class="l">${esc(stage)}</td><td>${n}</td></tr>`)
    .join('\n');
  const images = s.health.images
    .map(
      (p) =>
        `<tr><td class="l">${esc(p.path)}</td><td class="l ${p.status}">${p.status}</td>` +
        `<td class="l">${esc(p.firstProblemStage ?? '')}</td><td class="l">` +
        `${p.findings.map((x) => `<div class="${x.severity}">[${esc(x.stage)}] ${esc(x.message)}</div>`).join('')}</td></tr>`,
    )
    .join('\n');
  const checksHead =
    '<tr><th class="l">check</th><th class="error">errors</th><th class="warning">warnings</th><th>notes</th></tr>';
  const imagesHead =
    '<tr><th class="l">image</th><th class="l">status</th><th class="l">first at</th><th class="l">findings</th></tr>';
  return `<table>${checksHead}\n${checkRows}</table>
${stages ? `<table><tr><th class="l">first problem at stage</th><th>images</th></tr>\n${stages}</table>` : ''}
${images ? `<table>${imagesHead}\n${images}</table>` : ''}
${s.health.imagesOmitted ? `<p>${s.health.imagesOmitted} more in summary.json / results.jsonl.</p>` : ''}`;
}

function cards(list: readonly ImageBrief[], thumbs: ReadonlyMap<string, ThumbnailPair>): string {
  if (list.length === 0) return '<p>None.</p>';
  return `<div class="grid">${list
    .map((b) => {
      const t = thumbs.get(b.path) ?? {};
      const img = (src: string | undefined, alt: string) =>
        src ? `<img src="${src}" alt="${esc(alt)}" title="${esc(alt)}">` : `<img alt="${esc(alt)} unavailable">`;
      return (
        `<div class="card"><div class="pair">${img(t.original, 'original (crop)')}${img(t.recon, 'reconstruction')}</div>
<div class="cap"><b>${esc(b.path)}</b><br>PSNR ${num(b.psnr, 2, '∞')} dB · SSIM ${num(b.ssim, 4)}<br>` +
        `official: ${num(b.officialPsnr, 2, '∞')} dB · ${num(b.officialSsim, 4)}<br>` +
        `${b.distinctCodes ?? '–'} distinct codes · <span class="${b.status}">${b.status}</span>` +
        `${b.firstProblemStage ? ` at ${esc(b.firstProblemStage)}` : ''}</div></div>`
      );
    })
    .join('\n')}</div>`;
}

function notProcessed(s: DatasetSummary): string {
  if (s.notProcessed.length === 0) return '<p>None.</p>';
  const rows = s.notProcessed
    .map(
      (n) =>
        `<tr><td class="l">${esc(n.path)}</td><td class="l ${n.status}">${n.status}</td><td class="l">${esc(n.reason)}</td></tr>`,
    )
    .join('\n');
  const omitted = s.notProcessedOmitted ? `<p>${s.notProcessedOmitted} more in results.jsonl.</p>` : '';
  return `<table><tr><th class="l">file</th><th class="l">status</th><th class="l">reason</th></tr>\n${rows}</table>${omitted}`;
}

function num(v: number | null, digits: number, nullText = '–'): string {
  return v === null || !Number.isFinite(v) ? nullText : v.toFixed(digits);
}

function pct(f: number): string {
  return `${(100 * f).toFixed(2)}%`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
