// Placeholder until the studio's contract lands: exposes nothing yet.
export {};
