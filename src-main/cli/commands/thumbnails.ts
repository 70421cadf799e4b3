/**
 * thumbnails: the one strict decode every image gets, with its thumbnail, for every active item
 * not decoded since its file last changed (the studio runs the same pass in the background
 * after an import; an export runs it for what is left). An image that fails becomes broken,
 * with the decoder's message.
 */
import { verifyUndecoded } from '../../engine/dataset/verify.js';
import { cancelOnSignals } from '../cancel.js';
import { jsonOption, projectOption, withProject, type Command } from '../command.js';
import { formatCount, printJson, progressPrinter, say } from '../output.js';

export const thumbnailsCommand: Command = {
  name: 'thumbnails',
  usage: 'shiwake thumbnails --project <dir> [--json]',
  summary: 'decode (strictly) and thumbnail every active image not yet checked; broken ones are marked with the reason',
  options: { ...projectOption, ...jsonOption },
  run(values) {
    return withProject(values, this, async (project) => {
      const cancel = cancelOnSignals('cancelling: finishing the images in flight (press Ctrl+C again to stop at once)');
      const progress = progressPrinter('images', values.json === true);
      try {
        const r = await verifyUndecoded(project, { onProgress: progress.update, signal: cancel.signal });
        progress.done();
        const seconds = Math.round(r.seconds * 1000) / 1000;
        if (values.json) printJson({ images: r.decoded, broken: r.broken.length, seconds });
        else {
          say(`${cancel.signal.aborted ? 'Cancelled after decoding' : 'Decoded'} ${formatCount(r.decoded)} images in ${seconds.toFixed(1)} s, ${formatCount(r.broken.length)} broken.`);
          for (const b of r.broken.slice(0, 20)) say(`  ${b.path}: ${b.reason}`);
          if (r.broken.length > 20) say(`  ... and ${formatCount(r.broken.length - 20)} more (shiwake stats lists the broken items)`);
          if (cancel.signal.aborted) say('Run the same command again to finish: what was decoded is kept.');
        }
        return cancel.signal.aborted ? 130 : 0;
      } finally {
        cancel.dispose();
      }
    });
  },
};
