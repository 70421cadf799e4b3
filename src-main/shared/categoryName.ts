/**
 * Category names are paths: "Men > Shoes > Sneakers". Shared by engine and renderer,
 * so no Node built-ins here.
 */
export const CATEGORY_SEPARATOR = ' > ';

/** The longest category name the API accepts (labels.move); an import refuses longer ones too. */
export const MAX_CATEGORY_NAME_LENGTH = 1000;

/** What U+FFFD in a name means: the bytes on disk were not valid UTF-8 (the decoder replaced them). */
export const NOT_UTF8_REASON = 'the name is not valid UTF-8, so it cannot be read reliably; rename it';

export function joinCategoryPath(parts: readonly string[]): string {
  return parts.join(CATEGORY_SEPARATOR);
}

/** Splits and tidies a name a person typed: "Men >Shoes> Sneakers " -> ["Men","Shoes","Sneakers"]. */
export function splitCategoryName(name: string): string[] {
  const parts = name
    .normalize('NFC')
    .split('>')
    .map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p.length === 0)) {
    throw new Error(`"${name}" is not a valid category name: every part between " > " must be non-empty`);
  }
  return parts;
}

/** The canonical form of a category name (trimmed parts, NFC, single separators). */
export function normalizeCategoryName(name: string): string {
  return joinCategoryPath(splitCategoryName(name));
}

/**
 * The category of a file from its folder path relative to the dataset root ('/' separated).
 * A '>' inside a folder name would read as a separator, so it becomes '›'.
 */
export function categoryFromFolder(relativeFolder: string): string {
  return joinCategoryPath(
    relativeFolder
      .split('/')
      .filter((p) => p.length > 0)
      .map((p) => p.normalize('NFC').replaceAll('>', '›').trim() || '(blank)'),
  );
}
