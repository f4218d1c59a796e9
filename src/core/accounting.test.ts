import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunAccounting } from './accounting.js';
import { AccountingError } from './errors.js';

describe('RunAccounting', () => {
  it('balances when received = written + errored + filtered for the run and every step', () => {
    const books = new RunAccounting('p', ['parse']);
    Object.assign(books.step('parse'), { received: 5, passed: 3, errored: 1, filtered: 1 });
    books.commit({ received: 5, written: 3, errored: 1, filtered: 1 });
    assert.equal(books.assertBalanced().balanced, true);
  });

  it('throws AccountingError naming the step that lost a record', () => {
    const books = new RunAccounting('p', ['parse', 'cleanse']);
    Object.assign(books.step('parse'), { received: 5, passed: 5, errored: 0, filtered: 0 });
    Object.assign(books.step('cleanse'), { received: 5, passed: 4, errored: 0, filtered: 0 });
    books.commit({ received: 5, written: 4, errored: 0, filtered: 0 });
    assert.throws(() => books.assertBalanced(), (e: unknown) => e instanceof AccountingError && /cleanse/.test(e.message) && e.code === 'ACCOUNTING_MISMATCH');
  });
});
