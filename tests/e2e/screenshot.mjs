// Makes the README's screenshot: the page on its demo set after one short training run.
//   node tests/e2e/screenshot.mjs   (after `trunk build --release`)
import path from 'node:path';
import { openPage, ROOT } from './harness.mjs';
import { TrainScreen } from './pages.mjs';

const h = await openPage();
try {
  await h.page.waitForSelector('[data-testid=demo-banner]', { timeout: 60000 });
  const train = new TrainScreen(h.page);
  await train.open();
  await train.set('train-epochs', 2);
  await train.start();
  await train.results(1);
  // The results of the run: per-class table, confusion matrix, success indicators.
  const results = h.page.locator('[data-testid=run-results]');
  await results.scrollIntoViewIfNeeded();
  await results.screenshot({ path: path.join(ROOT, 'tests/e2e/screenshot.png') });
} finally {
  await h.close();
}
