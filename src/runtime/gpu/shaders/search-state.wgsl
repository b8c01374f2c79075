// Running search state of one token, shared by the per-chunk search kernels and the kernel that
// merges chunks, so that both apply literally the same comparison rules as the CPU reference:
// strict '<' keeps the first (lowest-index) minimum, an equal value becomes the runner-up, and a
// candidate equal to an earlier one queues behind it.
//
// Needs the host-generated constants TOP_K and TOPK_SLOTS (= max(TOP_K, 1), since a private
// array cannot have length 0).

// "No distance yet". Finite on purpose: WGSL lets implementations assume there are no infinities.
const NO_DISTANCE: f32 = 3.0e38;
const NO_CODE: u32 = 0xffffffffu;

struct Track {
  best: f32,
  second: f32,
  index: u32,
}

// Joint, semantic-only and pixel-only distances, as separate x/y/z lanes in memory.
struct Partial {
  best: vec4f,
  second: vec4f,
  index: vec4<u32>,
}

struct Candidate {
  index: u32,
  distance: f32,
  semantic: f32,
  pixel: f32,
}

var<private> joint: Track;
var<private> semanticOnly: Track;
var<private> pixelOnly: Track;
var<private> candidateIndex: array<u32, TOPK_SLOTS>;
var<private> candidateDistance: array<f32, TOPK_SLOTS>;
var<private> candidateSemantic: array<f32, TOPK_SLOTS>;
var<private> candidatePixel: array<f32, TOPK_SLOTS>;

fn resetSearch() {
  joint = Track(NO_DISTANCE, NO_DISTANCE, 0u);
  semanticOnly = Track(NO_DISTANCE, NO_DISTANCE, 0u);
  pixelOnly = Track(NO_DISTANCE, NO_DISTANCE, 0u);
  for (var j = 0u; j < TOPK_SLOTS; j++) {
    candidateIndex[j] = NO_CODE;
    candidateDistance[j] = NO_DISTANCE;
    candidateSemantic[j] = 0.0;
    candidatePixel[j] = 0.0;
  }
}

fn track(t: ptr<private, Track>, d: f32, k: u32) {
  if (d < (*t).second) {
    if (d < (*t).best) {
      (*t).second = (*t).best;
      (*t).best = d;
      (*t).index = k;
    } else {
      (*t).second = d;
    }
  }
}

// Inserts code k if it beats the current k-th candidate; the list stays sorted by (distance, index)
// as long as codes arrive in increasing index order.
fn offerCandidate(k: u32, d: f32, dSemantic: f32, dPixel: f32) {
  if (TOP_K == 0u || !(d < candidateDistance[TOPK_SLOTS - 1u])) {
    return;
  }
  var j = TOPK_SLOTS - 1u;
  loop {
    if (j == 0u || !(d < candidateDistance[j - 1u])) {
      break;
    }
    candidateIndex[j] = candidateIndex[j - 1u];
    candidateDistance[j] = candidateDistance[j - 1u];
    candidateSemantic[j] = candidateSemantic[j - 1u];
    candidatePixel[j] = candidatePixel[j - 1u];
    j--;
  }
  candidateIndex[j] = k;
  candidateDistance[j] = d;
  candidateSemantic[j] = dSemantic;
  candidatePixel[j] = dPixel;
}
