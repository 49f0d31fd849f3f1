// Saves a recording's asciicast text as `<name>-<id>.cast` through a Blob download: the same in the browser
// UI and in the app, and the file plays in the stock asciinema player.

/** The file name of an exported recording; the session's name loses what a file name cannot hold. */
export function castFileName(name: string, id: string): string {
  const safe = name.replace(/[^\w.-]+/g, '_').replace(/^[._]+|_+$/g, '') || 'recording';
  return `${safe}-${id}.cast`;
}

export function downloadCast(name: string, id: string, cast: string): void {
  const url = URL.createObjectURL(new Blob([cast], { type: 'application/x-asciicast' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = castFileName(name, id);
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has taken the Blob by the next task; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
