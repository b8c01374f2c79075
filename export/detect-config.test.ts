import { describe, expect, it } from 'vitest';
import { FIXTURE_NAMES, loadFixtureManifest } from '../src/test-support/fixtures.ts';
import { detectConfig, detectSemanticDecoderShape } from './detect-config.ts';
import { officialLayout } from './state-dict-layout.ts';
import { loadCheckpointIndex, shapeOnlyStateDict } from '../src/test-support/checkpoint-index.ts';
import { validateStateDict } from './validate-state-dict.ts';

describe('config detection from key names and shapes', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: detects the architecture the official code was built with`, () => {
      const manifest = loadFixtureManifest(name);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fixture config is free-form JSON, compared field by field
      const c = manifest.config as any;
      const config = detectConfig(shapeOnlyStateDict(loadCheckpointIndex(name)));
      expect(config.variant).toBe(c.variant);
      expect(config.inputSize).toBe(c.R);
      expect(config.gridSize).toBe(c.S);
      expect([...config.scales]).toEqual(c.scales);
      expect(config.codebookSize).toBe(c.K);
      expect(config.semanticCodeDim).toBe(c.semantic_code_dim);
      expect(config.pixelCodeDim).toBe(c.pixel_code_dim);
      expect(config.pixelBranchSize).toBe(c.pixel_branch_input_size);
      expect(config.outputSize).toBe(c.output_size);
      expect(config.pixelDecoder.enhanced).toBe(c.enhanced_decoder);
      expect(config.pixelEncoder.ch).toBe(c.pixel_encoder.ch);
      expect([...config.pixelEncoder.chMult]).toEqual(c.pixel_encoder.ch_mult);
      expect(config.pixelEncoder.numResBlocks).toBe(c.pixel_encoder.num_res_blocks);
      expect(config.pixelEncoder.zChannels).toBe(c.pixel_encoder.z_channels);
      expect(config.pixelDecoder.ch).toBe(c.pixel_decoder.ch);
      expect(config.pixelDecoder.numResBlocks).toBe(c.pixel_decoder.num_res_blocks);
      const enc = config.semanticEncoder;
      const se = c.semantic_encoder;
      if (enc.kind === 'clip') {
        expect([enc.width, enc.layers, enc.heads, enc.mlpDim, enc.patch]).toEqual([
          se.width,
          se.layers,
          se.heads,
          se.mlp,
          se.patch,
        ]);
        expect(enc.interpolatePosTo).toBe(se.pos_interpolated_to ?? null);
      } else {
        expect([enc.hidden, enc.layersTotal, enc.layersApplied, enc.heads, enc.intermediate]).toEqual([
          se.hidden,
          se.layers,
          se.layers_applied,
          se.heads,
          se.intermediate,
        ]);
      }
    });

    it(`${name}: the official layout reproduces every key and shape of the checkpoint`, () => {
      const index = loadCheckpointIndex(name);
      const sd = shapeOnlyStateDict(index);
      const layout = officialLayout(detectConfig(sd), detectSemanticDecoderShape(sd));
      const fromLayout = new Map(layout.map((e) => [e.key, [...e.shape]]));
      const fromIndex = new Map(index.map((e) => [e.key, e.shape]));
      expect([...fromLayout.keys()].sort()).toEqual([...fromIndex.keys()].sort());
      for (const [key, shape] of fromIndex) expect(fromLayout.get(key), key).toEqual(shape);
    });
  }

  it('the CLIP checkpoint can also be run at its other official size', () => {
    const sd = shapeOnlyStateDict(loadCheckpointIndex('clip-256-enhanced'));
    const at224 = detectConfig(sd, { inputSize: 224 });
    expect(at224.gridSize).toBe(14);
    expect(at224.scales.length).toBe(8);
    expect(at224.semanticEncoder.kind === 'clip' && at224.semanticEncoder.interpolatePosTo).toBe(null);
    expect(() => detectConfig(sd, { inputSize: 320 })).toThrow(
      /320 is not one the official clip model runs at \(use 224 or 256, or give the scale list/,
    );
  });

  it('a model trained at another size is exported with the scale list its maker states', () => {
    const sd = shapeOnlyStateDict(loadCheckpointIndex('clip-224'));
    const c = detectConfig(sd, { inputSize: 128, scales: [1, 2, 4, 8] });
    expect([c.inputSize, c.gridSize, c.pixelBranchSize, c.outputSize]).toEqual([128, 8, 128, 128]);
    expect([...c.scales]).toEqual([1, 2, 4, 8]);
    expect(() => detectConfig(sd, { scales: [1, 2, 4, 8] })).toThrow(/custom scale list needs the image size/);
    expect(() => detectConfig(sd, { inputSize: 128, scales: [1, 4, 2, 8] })).toThrow(
      /scales must be increasing positive whole numbers, got 1,4,2,8/,
    );
    expect(() => detectConfig(sd, { inputSize: 128, scales: [1, 2, 6] })).toThrow(
      /patch 16 at 128px gives a 8 grid, not the 6/,
    );
  });
});

describe('strict validation of a state dict', () => {
  const index = () => loadCheckpointIndex('clip-224');

  it('accepts the fixture and ignores training-only keys', () => {
    const sd = shapeOnlyStateDict(index().filter((e) => !e.key.startsWith('decoder_vqkd')));
    expect(() => validateStateDict(sd, detectConfig(sd))).not.toThrow();
  });

  it('lists missing keys', () => {
    const sd = shapeOnlyStateDict(
      index().filter((e) => !e.key.startsWith('decoder.mid.1') && e.key !== 'post_quant_conv.bias'),
    );
    expect(() => validateStateDict(sd, detectConfig(sd), 'x.pt')).toThrow(
      /x\.pt: .*11 missing key\(s\): post_quant_conv\.bias, decoder\.mid\.1\.norm\.weight/,
    );
  });

  it('names a mis-shaped tensor with both shapes', () => {
    const sd = shapeOnlyStateDict(
      index().map((e) => (e.key === 'decoder.conv_blocks.2.res.1.conv1.weight' ? { ...e, shape: [64, 64, 1, 1] } : e)),
    );
    expect(() => validateStateDict(sd, detectConfig(sd))).toThrow(
      /decoder\.conv_blocks\.2\.res\.1\.conv1\.weight: found \[64, 64, 1, 1\], expected \[64, 64, 3, 3\]/,
    );
  });

  it('refuses a state dict of another model, saying what a TokenFlow checkpoint has', () => {
    const other = shapeOnlyStateDict([
      { key: 'model.diffusion_model.input_blocks.0.0.weight', shape: [320, 4, 3, 3] },
      { key: 'first_stage_model.decoder.conv_in.weight', shape: [512, 4, 3, 3] },
    ]);
    expect(() => detectConfig(other, { sourceName: 'sd.ckpt' })).toThrow(
      /sd\.ckpt: this is not a TokenFlow state dict: neither 'encoder_vqkd\.conv1\.weight' .* \(2 tensors, e\.g\. model\.diffusion_model/,
    );
  });
});
