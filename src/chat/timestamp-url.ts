/** The video's address, starting at `seconds`: YouTube's t=, Vimeo's #t=…s, else a media fragment. */
export function timestampUrl(videoUrl: string, seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  let url: URL;
  try {
    url = new URL(videoUrl);
  } catch {
    return videoUrl;
  }
  const host = url.hostname.replace(/^(www|m)\./, '');
  if (host === 'youtube.com' || host === 'youtu.be' || host === 'youtube-nocookie.com') {
    url.searchParams.set('t', `${s}s`);
  } else if (host === 'vimeo.com' || host === 'player.vimeo.com') {
    url.hash = `t=${s}s`;
  } else {
    url.hash = `t=${s}`;
  }
  return url.toString();
}
