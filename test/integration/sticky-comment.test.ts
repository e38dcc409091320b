import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubRepo } from '../../shared/github/client.js';
import { COMMENT_LIMIT, markerFor, upsertStickyComment } from '../../shared/github/sticky-comment.js';
import { UserError } from '../../shared/runtime/errors.js';
import { type GitHubFake, startGitHubFake } from '../harness/github/server.js';

describe('sticky comment (OpenAPI-validated GitHub fake)', () => {
  let fake: GitHubFake;
  beforeEach(async () => {
    fake = await startGitHubFake({ tokens: { ghs_ro: { login: 'github-actions[bot]', readOnly: true } } });
  });
  afterEach(async () => {
    expect(fake.violations()).toEqual([]);
    await fake.stop();
  });
  const comments = () => [...fake.state.repo(fake.owner, fake.repo)!.comments.values()];

  it('creates once, then edits in place on re-runs, past 150 other comments, leaving a lookalike by someone else alone', async () => {
    const r = githubRepo(fake.env(), fake.token);
    const key = 'evaluate-gate:pr.yml:weather';
    for (let i = 0; i < 160; i++) fake.state.seedComment(fake.owner, fake.repo, 7, `chatter ${i}`, `user${i % 3}`);
    fake.state.seedComment(fake.owner, fake.repo, 7, `${markerFor(key)}\nfake report by a human`, 'mallory');
    const first = await upsertStickyComment(r, 7, key, 'report v1');
    expect(first.created).toBe(true);
    const second = await upsertStickyComment(r, 7, key, 'report v2');
    expect(second).toMatchObject({ created: false, id: first.id });
    const mine = comments().filter((c) => c.body.includes(markerFor(key)) && c.login === 'github-actions[bot]');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toBe(`${markerFor(key)}\nreport v2`);
    expect(comments().find((c) => c.login === 'mallory')!.body).toContain('fake report by a human');
    // Listing read every page (100 per page): 162 comments -> 2 pages on each run.
    expect(fake.requests().filter((q) => q.operationId === 'issues/list-comments').length).toBeGreaterThanOrEqual(4);
  });

  it("runs that overlap leave one comment: the oldest, holding one run's whole report (3 rounds of 4 writers)", async () => {
    const r = githubRepo(fake.env(), fake.token);
    const key = 'evaluate-gate:pr.yml:weather';
    const mine = () => comments().filter((c) => c.issue_number === 9 && c.body.includes(markerFor(key)));
    for (let round = 0; round < 3; round++) {
      // Every writer lists before any writes (the fake holds the lists until all 4 arrived),
      // as when runs start together: each finds no comment and creates one.
      if (round === 0) fake.state.seedComment(fake.owner, fake.repo, 9, 'chatter', 'someone');
      else for (const c of mine()) fake.state.repo(fake.owner, fake.repo)!.comments.delete(c.id);
      fake.gather('issues/list-comments', 4);
      const bodies = [0, 1, 2, 3].map((w) => `report ${round}.${w}`);
      const results = await Promise.all(bodies.map((b) => upsertStickyComment(r, 9, key, b)));
      const left = mine();
      expect(left, `round ${round}`).toHaveLength(1);
      expect(bodies.map((b) => `${markerFor(key)}\n${b}`)).toContain(left[0]!.body);
      // Everyone reports the comment that stayed, and the deletes removed only our duplicates.
      expect(new Set(results.map((x) => x.id))).toEqual(new Set([left[0]!.id]));
      expect(comments().some((c) => c.body === 'chatter')).toBe(true);
      const deleted = fake.requests().filter((q) => q.operationId === 'issues/delete-comment').map((q) => Number(q.path.split('/').pop()));
      expect(deleted.every((id) => id !== left[0]!.id)).toBe(true);
      expect(deleted.slice(-3).every((id) => id > left[0]!.id), 'the oldest stays').toBe(true);
    }
    expect(fake.requests().filter((q) => q.operationId === 'issues/delete-comment' && q.status === 204).length).toBe(9);
  });

  it('a different key is a different comment', async () => {
    const r = githubRepo(fake.env(), fake.token);
    await upsertStickyComment(r, 3, 'evaluate-gate:a:m1', 'one');
    await upsertStickyComment(r, 3, 'evaluate-gate:a:m2', 'two');
    expect(comments().filter((c) => c.issue_number === 3)).toHaveLength(2);
  });

  it('cuts a huge body under the limit, keeping its head', async () => {
    const r = githubRepo(fake.env(), fake.token);
    const body = `### verdict\n\n${'| row | value |\n'.repeat(10_000)}`;
    await upsertStickyComment(r, 4, 'k', body);
    const c = comments().find((x) => x.issue_number === 4)!;
    expect(c.body.length).toBeLessThan(COMMENT_LIMIT);
    expect(c.body).toContain('### verdict');
    expect(c.body).toContain('report truncated');
  });

  it('names the missing permission for a read-only token', async () => {
    const r = githubRepo(fake.env(), 'ghs_ro');
    const err = await upsertStickyComment(r, 5, 'k', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).describe()).toMatch(/GitHub refused to comment on #5 \(HTTP 403\)[\s\S]*pull-requests: write/);
  });
});
