/** Getting image files into the Classify view: picked, dropped (folders too) or pasted, and their bytes as base64. */
import { MAX_UPLOAD_MB } from '../../../src-main/shared/contract';

const IMAGE_NAME = /\.(jpe?g|png|webp|gif|tiff?|avif|bmp)$/i;

/** By type when the browser knows it, else by name (dropped folders often report no type). */
export function looksLikeImage(file: File): boolean {
  return file.type.startsWith('image/') || (file.type === '' && IMAGE_NAME.test(file.name));
}

/** Refuses a file over the upload limit before any byte is sent; the message names the file. */
export function uploadProblem(file: File): string | null {
  const mb = file.size / 1024 / 1024;
  if (mb > MAX_UPLOAD_MB) return `${file.name}: ${mb.toFixed(1)} MB is over the ${MAX_UPLOAD_MB} MB limit for classifying an uploaded file`;
  return null;
}

export function toBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

/**
 * The files of a drop, folders walked in sorted order. The entries must be taken while the
 * drop event lasts (the list empties afterwards), so this is called synchronously from it.
 */
export function filesFromDrop(data: DataTransfer): Promise<File[]> {
  const entries = [...data.items].map((i) => (i.kind === 'file' ? i.webkitGetAsEntry?.() : null)).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return Promise.resolve([...data.files]);
  return Promise.all(entries.map(walk)).then((lists) => lists.flat());
}

async function walk(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) return [await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))];
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries hands out a directory in chunks (100 at a time in Chromium) until an empty one
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) break;
    children.push(...chunk);
  }
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: File[] = [];
  for (const child of children) files.push(...(await walk(child)));
  return files;
}
