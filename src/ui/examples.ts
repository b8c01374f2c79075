/** The bundled example photos (public/examples/, licences in LICENSES.md there). */

export interface Example {
  readonly id: string;
  readonly file: string;
  readonly title: string;
  readonly credit: string;
}

export const EXAMPLES: readonly Example[] = [
  { id: 'astronaut', file: 'astronaut.png', title: 'Astronaut', credit: 'Eileen Collins, NASA (public domain)' },
  { id: 'coffee', file: 'coffee.png', title: 'Coffee', credit: 'Rachel Michetti (CC0)' },
  { id: 'chelsea', file: 'chelsea.png', title: 'Chelsea', credit: 'Stéfan van der Walt, scikit-image (CC0)' },
];

export function exampleUrl(example: Example): string {
  return `${import.meta.env.BASE_URL}examples/${example.file}`;
}

export function findExample(id: string): Example | undefined {
  return EXAMPLES.find((e) => e.id === id);
}

/** The example's file; throws with the HTTP status when the server does not give it. */
export async function fetchExample(example: Example): Promise<Blob> {
  const response = await fetch(exampleUrl(example));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.blob();
}
