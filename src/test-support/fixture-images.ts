/** The photos the golden fixtures were made from, decoded the way the Node pipeline decodes them. */
import type { RgbImage } from '../core/image/rgb-image.ts';
import { decodeImageFile } from '../node/image-io.ts';
import { fixturePath, type FixtureImage, type FixtureName } from './fixtures.ts';

export function fixtureSourceImage(name: FixtureName, image: FixtureImage): Promise<RgbImage> {
  return decodeImageFile(fixturePath(name, image, 'source.png'));
}
