/**
 * A synthetic knowledge base of plausible music-production passages, built from word lists with a
 * seeded generator: the same size always gives the same document, so runs compare. Words are drawn
 * with a skew (a few very common, most rare), as in real teaching transcripts, which is what makes
 * full-text search work hard: "bass" or "mix" match a large share of the passages.
 */

const GENRES = ['techno', 'house', 'drum-and-bass', 'dubstep', 'hip-hop', 'lo-fi', 'ambient', 'pop', 'trap', 'garage', 'disco', 'film-score', 'orchestral', 'jungle', 'trance', 'synthwave'];
const FIRST = ['Mira', 'Kaito', 'Rhea', 'Juno', 'Sol', 'Bram', 'Dex', 'Ana', 'Theo', 'Ines', 'Marek', 'Lena', 'Omar', 'Yuki', 'Nadia', 'Felix', 'Ruth', 'Pablo', 'Greta', 'Idris'];
const LAST = ['Vox', 'Brooks', 'Lindqvist', 'Achebe', 'Ferreira', 'Okafor', 'Halloway', 'Moreau', 'Nakamura', 'Kowalski', 'Adeyemi', 'Sandoval', 'Berg', 'Quinn', 'Rossi', 'Haddad'];

const SOURCES = ['kick', 'snare', 'bass', 'sub', 'vocal', 'pad', 'lead', 'hi-hat', 'clap', 'piano', '808', 'reese', 'strings', 'pluck', 'arp', 'chord stab', 'break', 'rimshot', 'tom', 'bell', 'choir', 'guitar', 'organ', 'brass', 'sample', 'field recording', 'drone', 'riser', 'impact', 'shaker', 'cymbal', 'open hat', 'ride', 'conga', 'bongo', 'marimba', 'kalimba', 'rhodes', 'wurlitzer', 'clavinet', 'cello', 'violin', 'harp', 'flute', 'clarinet', 'trumpet', 'trombone', 'saxophone', 'accordion', 'harmonica', 'banjo', 'sitar', 'acid line', 'supersaw', 'hoover', 'amen break', 'foley', 'downlifter', 'sweep', 'noise layer', 'tambourine', 'cowbell', 'woodblock', 'glockenspiel', 'vibraphone', 'steel drum', 'music box', 'vinyl crackle', 'tape hiss', 'room tone', 'wobble bass', 'vocal chop', 'ad-lib', 'backing vocal', 'talkbox', 'theremin', 'mellotron', 'tabla', 'djembe', 'gong'];
const PROCESSES = ['compression', 'EQ', 'reverb', 'saturation', 'sidechain compression', 'delay', 'distortion', 'filtering', 'layering', 'automation', 'chorus', 'limiting', 'clipping', 'parallel compression', 'transient shaping', 'stereo widening', 'gating', 'pitch shifting', 'resampling', 'bitcrushing', 'phaser', 'flanger', 'time stretching', 'granular processing', 'vocoding', 'multiband compression', 'tape emulation', 'convolution reverb', 'ducking', 'de-essing', 'upward compression', 'expansion', 'mid-side EQ', 'dynamic EQ', 'harmonic exciting', 'ring modulation', 'frequency shifting', 'formant shifting', 'comb filtering', 'waveshaping', 'wavefolding', 'Haas delay', 'shimmer reverb', 'spring reverb', 'plate reverb', 'gated reverb', 'slap delay', 'dub delay', 'tremolo', 'auto-pan'];
const PARAMETERS = ['attack', 'release', 'threshold', 'ratio', 'cutoff', 'mix', 'decay', 'drive', 'resonance', 'feedback', 'pre-delay', 'knee', 'room size', 'width', 'depth', 'rate', 'gain', 'makeup gain', 'lookahead', 'hold', 'envelope amount', 'detune', 'unison', 'glide', 'velocity', 'swing', 'tempo', 'pitch', 'pan', 'send level', 'sample rate', 'bit depth', 'damping', 'diffusion', 'early reflections', 'crossover', 'band gain', 'Q', 'slope', 'LFO rate', 'LFO shape', 'filter envelope', 'sustain', 'portamento', 'oversampling', 'ceiling', 'range', 'sensitivity', 'density', 'grain size'];
const PLACES = ['the low end', 'the mix bus', 'the drum bus', 'a send', 'the master', 'the sub range', 'the high mids', 'the stereo field', 'the transient', 'the tail', 'the groove', 'the arrangement', 'the breakdown', 'the drop', 'the intro', 'the chorus', 'the top end', 'the midrange', 'the side channel', 'the mono fold-down', 'the verse', 'the bridge', 'the outro', 'the build-up', 'the pre-chorus', 'the vocal bus', 'the bass bus', 'the FX return', 'the group channel', 'the stem'];
const ADJECTIVES = ['punchy', 'warm', 'clean', 'wide', 'tight', 'muddy', 'gritty', 'harsh', 'smooth', 'airy', 'dark', 'bright', 'thick', 'thin', 'boomy', 'crisp', 'lush', 'dry', 'wet', 'subtle', 'aggressive', 'hypnotic', 'dusty', 'glassy', 'rubbery', 'nasal', 'brittle', 'woolly', 'honky', 'boxy', 'sibilant', 'papery', 'metallic', 'hollow', 'breathy', 'pumping', 'smeared', 'phasey', 'lo-fi', 'saturated', 'round', 'snappy', 'fizzy', 'grainy', 'velvety'];
const VERBS = ['shape', 'tame', 'glue', 'carve', 'fatten', 'tighten', 'widen', 'soften', 'push', 'duck', 'layer', 'tune', 'chop', 'resample', 'automate', 'balance', 'sculpt', 'brighten', 'darken', 'control', 'thicken', 'thin out', 'smear', 'flatten', 'de-mud', 'focus', 'seat', 'anchor', 'tuck', 'lift'];
const UNITS = ['Hz', 'kHz', 'ms', 'dB', 'percent', 'bars', 'beats', 'semitones', 'cents', 'BPM'];
const TOOLS = ['an analog-style compressor', 'a stock EQ', 'a tape plugin', 'a transient designer', 'a multiband compressor', 'a clipper', 'a saturator', 'a plate reverb', 'a ping-pong delay', 'a spectrum analyser', 'a correlation meter', 'a sampler', 'a wavetable synth', 'an FM synth', 'a modular patch', 'a vocoder', 'an 1176-style compressor', 'an LA-2A-style leveller', 'a Pultec-style EQ', 'an SSL-style bus compressor', 'a Juno-style chorus', 'a spring tank', 'a bucket-brigade delay', 'a granular sampler', 'a dynamic EQ', 'a gate', 'an envelope follower', 'a step sequencer', 'a drum machine', 'a console emulation'];

// Each sentence mixes the passage's topic (w) with a fresh draw (x): a passage is about one
// technique, with the asides a teacher makes.
const SENTENCES = [
  (w: Words, x: Words) => `I start the ${w.source} with ${w.process} on ${x.tool}, ${w.param} around ${x.number} ${x.unit}.`,
  (w: Words, x: Words) => `The trick is to ${w.verb} ${w.place} before you touch the ${x.param}, otherwise the ${w.source} gets ${x.adjective}.`,
  (w: Words, x: Words) => `Listen to how the ${w.source} sits against the ${x.source} once the ${w.process} is in.`,
  (w: Words, x: Words) => `If it sounds ${x.adjective}, pull the ${w.param} back and let ${w.place} breathe.`,
  (w: Words, x: Words) => `A lot of people use ${x.process} here, but ${w.process} does more for a ${w.adjective} ${w.source}.`,
  (w: Words, x: Words) => `Set the ${w.param} to ${x.number} ${x.unit} and the ${x.param} to taste; we want it ${w.adjective}, not ${x.adjective}.`,
  (w: Words, x: Words) => `Now automate the ${w.param} across ${x.place} so the ${w.source} moves with the ${x.source}.`,
  (w: Words, x: Words) => `Check it in mono: ${w.process} on ${w.place} can make the ${x.source} disappear on club systems.`,
  (w: Words, x: Words) => `I bounce the ${w.source} to audio and ${x.verb} it with ${x.tool} before any ${w.process}.`,
  (w: Words, x: Words) => `Keep ${x.place} ${w.adjective}; the ${w.source} should ${w.verb} the groove, not fight it.`,
  (w: Words, x: Words) => `You get a ${x.adjective} result when you make the ${w.param} follow the ${x.param} of the ${w.source}.`,
  (w: Words, x: Words) => `In ${w.genre} the ${w.source} usually needs less ${w.process} than you think, so use your ears first.`,
];
const TITLES = [
  (w: Words) => `${cap(w.adjective)} ${cap(w.source)} ${cap(w.process)} in ${w.genre}`,
  (w: Words) => `How I ${w.verb} the ${w.source} with ${w.process}`,
  (w: Words) => `${cap(w.process)} Masterclass: the ${cap(w.source)}`,
  (w: Words) => `Making a ${w.genre} ${w.source} from scratch`,
  (w: Words) => `Mixing ${w.place} for ${w.genre}`,
];
const TECHNIQUES = [
  (w: Words) => `${cap(w.process)} on the ${w.source}`,
  (w: Words) => `${cap(w.source)} ${w.param}`,
  (w: Words) => `How to ${w.verb} ${w.place}`,
  (w: Words) => `${cap(w.adjective)} ${w.source} with ${w.process}`,
];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface Words {
  source: string;
  process: string;
  param: string;
  place: string;
  adjective: string;
  verb: string;
  unit: string;
  tool: string;
  number: number;
  genre: string;
}

/** mulberry32: small, fast, seeded. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks from a list with a Zipf-like skew: the first entries are the most common. */
function skewed<T>(rand: () => number, list: readonly T[], skew: number): T {
  return list[Math.min(list.length - 1, Math.floor(list.length * rand() ** skew))]!;
}

/** A draw of words; `skew` > 1 favours the head of each list (topics), near 1 spreads (asides). */
function words(rand: () => number, genre: string, skew = 1.8): Words {
  const pick = <T>(list: readonly T[]) => skewed(rand, list, skew);
  return {
    source: pick(SOURCES),
    process: pick(PROCESSES),
    param: pick(PARAMETERS),
    place: pick(PLACES),
    adjective: pick(ADJECTIVES),
    verb: pick(VERBS),
    unit: pick(UNITS),
    tool: pick(TOOLS),
    number: Math.round(rand() * 200) / 2,
    genre,
  };
}

export interface SyntheticOptions {
  passages: number;
  /** Ids and text differ by seed; a later batch with another seed adds to an earlier one. */
  seed?: number;
  /** Prefix of creator slugs and ids, so that batches of one knowledge base do not collide. */
  prefix?: string;
  passagesPerVideo?: number;
  videosPerCreator?: number;
}

/** An import document (SPEC §7) with exactly `passages` passages. */
export function syntheticDocument(options: SyntheticOptions): { creators: unknown[]; videos: unknown[] } {
  const { passages, seed = 1, prefix = 'syn', passagesPerVideo = 20, videosPerCreator = 50 } = options;
  const rand = random(seed);
  const videoCount = Math.ceil(passages / passagesPerVideo);
  const creatorCount = Math.max(1, Math.ceil(videoCount / videosPerCreator));
  const creators = Array.from({ length: creatorCount }, (_, i) => {
    const genres = [...new Set([GENRES[i % GENRES.length]!, skewed(rand, GENRES, 1.8)])];
    return {
      slug: `${prefix}-${i}`,
      name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`,
      bio: `Producer and teacher working in ${genres.join(' and ')}.`,
      genres,
      personality: { voice: 'plain and practical', phrases: ['trust your ears'] },
    };
  });
  const videos = [];
  let left = passages;
  for (let v = 0; v < videoCount; v++) {
    const creator = creators[v % creatorCount]!;
    const genre = creator.genres[0]!;
    const title = TITLES[Math.floor(rand() * TITLES.length)]!(words(rand, genre));
    const count = Math.min(passagesPerVideo, left);
    left -= count;
    let start = 5 + Math.floor(rand() * 20);
    const list = Array.from({ length: count }, () => {
      const length = 30 + Math.floor(rand() * 60);
      const w = words(rand, genre);
      const sentences = 5 + Math.floor(rand() * 4);
      const text = Array.from({ length: sentences }, () => SENTENCES[Math.floor(rand() * SENTENCES.length)]!(w, words(rand, genre, 1.2))).join(' ');
      const passage = { start_seconds: start, end_seconds: start + length, technique: TECHNIQUES[Math.floor(rand() * TECHNIQUES.length)]!(w), text };
      start += length;
      return passage;
    });
    const id = `${prefix}:${v}`;
    videos.push({
      id,
      creator: creator.slug,
      title,
      url: `https://videos.chrysopedia.example/${creator.slug}/${v}`,
      published_at: `20${String(15 + (v % 10)).padStart(2, '0')}-0${1 + (v % 9)}-1${v % 10}`,
      duration_seconds: start + 30,
      passages: list,
    });
  }
  return { creators, videos };
}

/** Questions a person might ask of such a knowledge base; a few match nothing. */
export function syntheticQuestions(count: number, seed = 7): string[] {
  const rand = random(seed);
  const forms = [
    (w: Words) => `how do I use ${w.process} on a ${w.source}?`,
    (w: Words) => `what ${w.param} should I set for ${w.process} on the ${w.source}`,
    (w: Words) => `my ${w.source} sounds ${w.adjective}, how do I ${w.verb} it`,
    (w: Words) => `${w.process} or ${w.adjective} ${w.source} for ${w.place}?`,
    (w: Words) => `how to ${w.verb} ${w.place} in ${w.genre}`,
    () => 'how do I bake sourdough bread?',
  ];
  return Array.from({ length: count }, () => forms[Math.floor(rand() * forms.length)]!(words(rand, skewed(rand, GENRES, 1.8))));
}
