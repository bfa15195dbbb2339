// The web application driven in headless Chromium, as its users use it. One demo hub for the
// run (scripts/web/run); the steps run in order and leave a screenshot each.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, test } from 'node:test';

import { as, base, close, credentials, freshCode, newPage, noProblems, person, shot, signIn, totp } from './lib.mjs';

after(close);

describe('signing in', () => {
  test('with password and second factor; a wrong code is refused and says nothing more', async () => {
    const page = await newPage();
    await page.goto(`${base}/check`);
    await page.waitForURL(/\/signin\?next=%2Fcheck/);
    const who = person('deu.operator');
    await page.getByLabel('User name').fill(who.username);
    await page.getByLabel('Password').fill(who.password);
    await page.getByLabel(/Code from your authenticator/).fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /wrong user name, password or code/);
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is not sent back');
    await page.getByLabel('Password').fill(who.password);
    await page.getByLabel(/Code from your authenticator/).fill(await freshCode(who.totp_secret));
    await shot(page, 'signin');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/check`);
    assert.match(await page.locator('.who').textContent(), /deu\.operator · DEU/);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === '__Host-palermo');
    assert.ok(session.httpOnly && session.secure && session.sameSite === 'Strict');
    noProblems(page);
    await page.context().close();
  });

  test('enrolling a new authenticator, then signing in with a new recovery code', async () => {
    const page = await signIn(await newPage(), 'europol.analyst');
    await page.waitForURL(`${base}/check`);
    await page.goto(`${base}/account`);
    await page.getByRole('button', { name: 'Enrol a new authenticator' }).click();
    const secret = (await page.locator('#totp-secret').textContent()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(await page.locator('figure.qr svg').count(), 1, 'a QR code to scan');
    await shot(page, 'enrol');
    // A code of the old authenticator does not confirm the new one.
    await page.getByLabel('Password').fill(person('europol.analyst').password);
    await page.getByLabel('Code from the new authenticator').fill(totp(person('europol.analyst').totp_secret));
    await page.getByRole('button', { name: 'Confirm the new authenticator' }).click();
    assert.match(await page.locator('#code-error').textContent(), /not the new authenticator's current code/);
    await page.getByLabel('Password').fill(person('europol.analyst').password);
    await page.getByLabel('Code from the new authenticator').fill(totp(secret));
    await page.getByRole('button', { name: 'Confirm the new authenticator' }).click();
    await page.getByText('Your new authenticator is enrolled').waitFor();
    const codes = await page.locator('#recovery-codes code').allTextContents();
    assert.equal(codes.length, 10);
    await shot(page, 'enrolled');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    // The old authenticator no longer opens the account; a new recovery code does.
    await signIn(page, 'europol.analyst', codes[0]);
    await page.waitForURL(`${base}/check`);
    noProblems(page);
    await page.context().close();
  });
});

describe('checking at the border', () => {
  test('a stolen passport hits; a clean one does not; a confusable number is a possible hit', async () => {
    const page = await as('fra.operator');
    await page.goto(`${base}/check`);
    const hit = credentials.examples.document_hit;
    await page.getByLabel(/Document number, machine-readable zone/).fill(hit.number);
    await page.getByLabel(/^Country/).fill(hit.issuing_country);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('.verdict').waitFor();
    assert.equal((await page.locator('.verdict-label').textContent()).trim(), 'HIT');
    assert.match(await page.locator('.finding.hit').first().textContent(), new RegExp(`bureau of ${hit.owner} must confirm`));
    await shot(page, 'check-hit');

    await page.getByLabel(/Document number, machine-readable zone/).fill('ZZ0000001');
    await page.getByLabel(/^Country/).fill('FRA');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.waitForLoadState();
    assert.equal((await page.locator('.verdict-label').textContent()).trim(), 'NO HIT');
    await shot(page, 'check-no-hit');

    const possible = credentials.examples.document_possible_hit;
    await page.getByLabel(/Document number, machine-readable zone/).fill(possible.number);
    await page.getByLabel(/^Country/).fill(possible.issuing_country);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.waitForLoadState();
    assert.equal((await page.locator('.verdict-label').textContent()).trim(), 'POSSIBLE HIT');
    noProblems(page);
  });

  test('a pasted machine-readable zone is read, located problems shown, and checked', async () => {
    const page = await as('fra.operator');
    await page.goto(`${base}/check`);
    // ICAO Doc 9303 part 4's specimen, with the birth date's check digit broken.
    const zone = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408123F1204159ZE184226B<<<<<10';
    await page.getByLabel(/Document number, machine-readable zone/).fill(zone);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('.zone').waitFor();
    assert.match(await page.locator('.zone').textContent(), /ANNA MARIA ERIKSSON|ERIKSSON/);
    assert.match(await page.locator('.zone .problems').textContent(), /line 2, column \d+/);
    await shot(page, 'check-mrz');
    noProblems(page);
  });

  test('the check page reads at 360 px, one-handed', async () => {
    const page = await newPage({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
    await signIn(page, 'deu.officer');
    await page.waitForURL(`${base}/check`);
    const hit = credentials.examples.document_hit;
    await page.getByLabel(/Document number, machine-readable zone/).fill(hit.number);
    await page.getByLabel(/^Country/).fill(hit.issuing_country);
    await page.getByRole('button', { name: 'Check', exact: true }).tap();
    await page.locator('.verdict').waitFor();
    const box = await page.locator('.verdict').boundingBox();
    assert.ok(box.width <= 360 && box.y >= 0 && box.y < 200, `the verdict is in view: ${JSON.stringify(box)}`);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= 360, `no sideways scrolling (${scroll} px)`);
    await shot(page, 'check-phone', { fullPage: false });
    noProblems(page);
    await page.context().close();
  });
});

describe('a hit and its answer', () => {
  test("France's record hits Germany's check; France confirms; Germany reads the answer", async () => {
    const france = await as('fra.operator');
    await france.goto(`${base}/records`);
    const number = `WB${Date.now() % 10000000}`;
    const form = france.locator('form[action="/records/documents"]');
    await form.getByLabel('Document number').fill(number);
    await form.getByLabel('Issuing country').fill('FRA');
    await form.getByLabel('Type').fill('passport');
    await form.getByLabel('Status').fill('stolen');
    await form.getByRole('button', { name: 'Create' }).click();
    await france.waitForURL(/\/records\/documents\/\d+$/);
    assert.match(await france.locator('main').textContent(), new RegExp(number));

    const germany = await as('deu.operator');
    await germany.goto(`${base}/check`);
    await germany.getByLabel(/Document number, machine-readable zone/).fill(number);
    await germany.getByLabel(/^Country/).fill('FRA');
    await germany.getByRole('button', { name: 'Check', exact: true }).click();
    await germany.locator('.verdict').waitFor();
    assert.equal((await germany.locator('.verdict-label').textContent()).trim(), 'HIT');

    await france.goto(`${base}/hits`);
    const card = france.locator('article.hit-card', { hasText: 'DEU' }).filter({ hasText: number });
    await card.first().waitFor();
    await shot(france, 'hits-to-confirm');
    await card.first().getByLabel('Confirmed: the record is still valid').check();
    await card.first().getByLabel('Note for the checking bureau').fill('Hold him; our liaison officer calls you.');
    await card.first().getByRole('button', { name: 'Send the answer' }).click();
    await france.waitForURL(/\/hits/);
    assert.equal(await france.locator('article.hit-card', { hasText: number }).count(), 0, 'no longer waiting');

    await germany.goto(`${base}/hits`);
    const row = germany.locator('tr', { hasText: 'still-valid' }).filter({ hasText: 'FRA' });
    await row.first().waitFor();
    assert.match(await row.first().textContent(), /our liaison officer calls you/);
    await shot(germany, 'hit-answered');
    noProblems(france);
    noProblems(germany);
  });
});

describe('messages', () => {
  test('France writes to Germany; Germany sees it unread, reads it; France sees the receipt', async () => {
    const france = await as('fra.operator');
    await france.goto(`${base}/messages/new`);
    const subject = `Convoy through Strasbourg ${Date.now()}`;
    await france.getByLabel(/^To/).fill('DEU');
    await france.getByLabel('Subject').fill(subject);
    await france.getByLabel('Message').fill('Two vans, Romanian plates, tomorrow 06:00.\nPlease advise.');
    await france.getByLabel('Priority').selectOption('urgent');
    await france.getByLabel('Handling code').selectOption('H2');
    await france.getByLabel('Files').setInputFiles({ name: 'route.txt', mimeType: 'text/plain', buffer: Buffer.from('A4 then E52') });
    await shot(france, 'message-compose');
    await france.getByRole('button', { name: 'Send' }).click();
    await france.waitForURL(/\/messages\/\d+$/);

    const germany = await as('deu.operator');
    await germany.goto(`${base}/messages`);
    const line = germany.locator('ul.mail li', { hasText: subject });
    assert.match(await line.getAttribute('class'), /unread/);
    assert.ok(Number(await germany.locator('.count').textContent()) >= 1, 'an unread count');
    await shot(germany, 'inbox');
    await line.locator('a').click();
    await germany.waitForURL(/\/messages\/\d+$/);
    assert.match(await germany.locator('article.message').textContent(), /Two vans, Romanian plates/);
    assert.match(await germany.locator('ul.files').textContent(), /route\.txt/);
    await shot(germany, 'message-read');

    await france.goto(`${base}/messages?box=outbox`);
    await france.locator('ul.mail li', { hasText: subject }).locator('a').click();
    assert.match(await france.locator('article.message').textContent(), /DEU read it/);
    noProblems(france);
    noProblems(germany);
  });
});

describe('case reports', () => {
  test('a bureau submits a report and sees its network; a bad report is refused at its field', async () => {
    const page = await as('fra.operator');
    await page.goto(`${base}/cases/new`);
    const example = await page.getByLabel('The report (JSON)').inputValue();
    // A broken report: the error names the field by its JSON pointer.
    const broken = JSON.parse(example);
    broken.reference = `FRA-WEB-${Date.now()}`;
    broken.victims[0].age = 'seventeen';
    await page.getByLabel('The report (JSON)').fill(JSON.stringify(broken, null, 2));
    await page.getByRole('button', { name: 'Submit the report' }).click();
    await page.locator('#report-errors').waitFor();
    assert.match(await page.locator('#report-errors').textContent(), /\/victims\/0/);
    const report = JSON.parse(example);
    report.reference = broken.reference;
    await page.getByLabel('The report (JSON)').fill(JSON.stringify(report, null, 2));
    await page.getByRole('button', { name: 'Submit the report' }).click();
    await page.waitForURL(/\/cases\/\d+$/);
    const svg = page.locator('svg.network');
    await svg.waitFor();
    assert.ok((await svg.locator('circle').count()) >= 3, 'entities drawn');
    assert.ok((await svg.locator('line').count()) >= 2, 'links drawn');
    await shot(page, 'case');
    const submitted = page.url();
    // A demo case of France's, linked across borders: its network one link away.
    await page.goto(`${base}/cases`);
    await page.locator('tbody tr', { hasText: 'FRA' }).filter({ hasNotText: 'FRA-WEB' }).first().locator('a').first().click();
    await page.locator('svg.network').waitFor();
    assert.ok((await page.locator('svg.network line.shared').count()) > 0, 'links to other bureaus\' cases');
    await page.locator('figure.network-figure').screenshot({ path: `${process.env.PALERMO_WEB_ARTIFACTS}/case-network.png` });
    // The checklist is ticked by the reporting bureau.
    await page.goto(submitted);
    const first = page.locator('ul.checklist li').first();
    await first.getByRole('button').click();
    await page.waitForURL(/#checklist$/);
    assert.equal(await page.locator('ul.checklist li').first().getAttribute('class'), 'done');
    noProblems(page);
  });
});

describe('notices', () => {
  test('France requests a Blue notice, seeing the rules as it types; the secretariat reviews and publishes it', async () => {
    const france = await as('fra.operator');
    // The person first, in France's persons database.
    await france.goto(`${base}/records`);
    const people = france.locator('form[action="/records/persons"]');
    await people.getByLabel('Family name').fill('Moreau');
    await people.getByLabel('Given names').fill('Lucien');
    await people.getByLabel('Birth date').fill('1984-06-02');
    await people.getByLabel('Nationality').fill('FRA');
    await people.getByLabel('Sex').fill('M');
    await people.getByLabel('Category').fill('suspect');
    await people.getByRole('button', { name: 'Create' }).click();
    await france.waitForURL(/\/records\/persons\/\d+$/);
    const personId = france.url().match(/(\d+)$/)[1];
    // A photo of the person; a file that is no image is refused.
    await france.getByLabel(/Add a photo/).setInputFiles({ name: 'notes.txt', mimeType: 'image/png', buffer: Buffer.from('not an image') });
    await france.getByRole('button', { name: 'Add', exact: true }).click();
    assert.match(await france.locator('main').textContent(), /neither a JPEG nor a PNG/);
    await france.goto(`${base}/records/persons/${personId}`);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await france.getByLabel(/Add a photo/).setInputFiles({ name: 'face.png', mimeType: 'image/png', buffer: png });
    await france.getByRole('button', { name: 'Add', exact: true }).click();
    await france.waitForURL(`${base}/records/persons/${personId}`);
    const photo = france.locator('.photos img').first();
    await photo.waitFor();
    assert.ok(await photo.evaluate((img) => img.complete && img.naturalWidth === 1), 'the photo is shown');

    await france.goto(`${base}/notices/new`);
    await france.getByLabel('Kind').selectOption('blue');
    await france.locator('#verdicts .rule').first().waitFor();
    await france.getByLabel(/^Person/).fill(personId);
    await france.getByLabel(/^What is sought/).fill('Whereabouts of a recruiter of seasonal workers');
    // The verdicts follow the typing (no button pressed).
    await france.waitForFunction(() => {
      const verdicts = document.querySelector('#verdicts')?.textContent ?? '';
      return verdicts.includes('PASS') && !verdicts.includes('To complete');
    });
    await shot(france, 'notice-request');
    await france.getByRole('button', { name: 'Request', exact: true }).click();
    await france.waitForLoadState();
    assert.match(france.url(), /\/notices\/\d+$/, await france.locator('main').textContent());
    const url = france.url();
    assert.equal((await france.locator('#notice-state').textContent()).trim(), 'draft');
    await france.getByRole('button', { name: 'submit' }).click();
    await france.waitForLoadState();
    assert.equal(france.url(), url, await france.locator('main').textContent());
    assert.equal((await france.locator('#notice-state').textContent()).trim(), 'submitted');

    const reviewer = await as('sg.reviewer');
    await reviewer.goto(`${base}/notices`);
    assert.match(await reviewer.locator('h1').textContent(), /Review queue/);
    await reviewer.locator(`a[href="${new URL(url).pathname}"]`).click();
    await reviewer.getByRole('button', { name: 'start review' }).click();
    await reviewer.waitForURL(url);
    assert.equal((await reviewer.locator('#notice-state').textContent()).trim(), 'in_review');
    for (const box of await reviewer.locator('textarea[name^="override:"]').all()) {
      await box.fill('Checked with the French bureau by telephone.');
    }
    await shot(reviewer, 'notice-review');
    await reviewer.getByRole('button', { name: 'publish' }).click();
    await reviewer.waitForURL(url);
    assert.equal((await reviewer.locator('#notice-state').textContent()).trim(), 'published');
    assert.match(await reviewer.locator('ol.history').textContent(), /publish by sg\.reviewer/);
    noProblems(france);
    noProblems(reviewer);
  });
});

describe('access by address', () => {
  test("another bureau's restricted record cannot be reached by its URL", async () => {
    const germany = await as('deu.operator');
    await germany.goto(`${base}/records`);
    const form = germany.locator('form[action="/records/documents"]');
    const number = `DR${Date.now() % 10000000}`;
    await form.getByLabel('Document number').fill(number);
    await form.getByLabel('Issuing country').fill('DEU');
    await form.getByLabel('Type').fill('passport');
    await form.getByLabel('Status').fill('stolen');
    await form.getByLabel('Who may see it').fill('only');
    await form.getByLabel('Countries of the restriction').fill('DEU');
    await form.getByRole('button', { name: 'Create' }).click();
    await germany.waitForURL(/\/records\/documents\/\d+$/);
    const address = germany.url();

    const france = await as('fra.operator');
    const response = await france.goto(address);
    assert.equal(response.status(), 404);
    assert.match(await france.locator('main').textContent(), /no such record, or it is not yours to see/);
    assert.doesNotMatch(await france.content(), new RegExp(number));
    await shot(france, 'restricted-record');
    // The API answers France the same.
    noProblems(france);
  });
});

describe('the keyboard and the screen reader', () => {
  test('a check from the keyboard alone: type, Tab, type, Enter; the answer takes the focus', async () => {
    const page = await newPage();
    await signIn(page, 'deu.officer');
    await page.waitForURL(`${base}/check`);
    const hit = credentials.examples.document_hit;
    // The input has the focus on arrival.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
    await page.keyboard.type(hit.number);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'country');
    await page.keyboard.type(hit.issuing_country);
    await page.keyboard.press('Enter');
    await page.locator('.verdict').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'verdict');
    assert.equal(await page.locator('#verdict').getAttribute('role'), 'status');
    noProblems(page);
    await page.context().close();
  });

  test('every page: each control has a label, nothing runs against the policy, nothing scrolls sideways at 360 px', async () => {
    const pages = {
      'fra.operator': ['/check', '/warnings', '/hits', '/messages', '/messages?box=outbox', '/messages/new',
        '/records', '/notices', '/notices/new', '/cases', '/cases/new', '/statistics', '/account'],
      'sg.reviewer': ['/notices', '/statistics'],
      'sg.auditor': ['/audit'],
      'sg.admin': ['/admin'],
    };
    for (const [username, paths] of Object.entries(pages)) {
      const page = await as(username);
      for (const width of [1440, 360]) {
        await page.setViewportSize({ width, height: 900 });
        for (const path of paths) {
          const response = await page.goto(`${base}${path}`);
          assert.equal(response.status(), 200, `${username} ${path}`);
          const unlabelled = await page.evaluate(() =>
            [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
              .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim())))
              .map((el) => el.outerHTML.slice(0, 80)));
          assert.deepEqual(unlabelled, [], `${path}: controls without a label`);
          if (width === 360) {
            const wide = await page.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(wide <= 362, `${path} is ${wide} px wide at 360`);
          }
        }
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      noProblems(page);
    }
  });
});

describe('the trail, administration, statistics and the public', () => {
  test("an auditor filters the trail and verifies the chain", async () => {
    const page = await as('sg.auditor');
    await page.goto(`${base}/audit`);
    await page.getByLabel('Action').fill('check.');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/action=check\./);
    const actions = await page.locator('tbody td:nth-child(5)').allTextContents();
    assert.ok(actions.length > 0 && actions.every((a) => a.startsWith('check.')), actions.join(' '));
    await page.getByRole('button', { name: 'Verify the whole chain' }).click();
    await page.locator('#verification').waitFor();
    assert.match(await page.locator('#verification').textContent(), /The chain is intact/);
    await shot(page, 'audit');
    // An operator has no audit page.
    const operator = await as('fra.operator');
    const response = await operator.goto(`${base}/audit`);
    assert.equal(response.status(), 403);
    noProblems(page);
  });

  test('an administrator adds a person, who then signs in with the secret shown once', async () => {
    const admin = await as('sg.admin');
    await admin.goto(`${base}/admin`);
    const form = admin.locator('form[action="/admin/users"]');
    await form.getByLabel(/^User name/).fill('ita.desk');
    await form.getByLabel('Full name').fill('Giulia Rossi');
    await form.getByLabel('Organisation').fill('ITA');
    await form.getByLabel(/^Roles/).fill('operator');
    await form.getByLabel('First password').fill('short');
    await form.getByRole('button', { name: 'Add' }).click();
    await admin.locator('#password-error').waitFor();
    await admin.locator('form[action="/admin/users"]').getByLabel(/^User name/).fill('ita.desk');
    await admin.locator('form[action="/admin/users"]').getByLabel('Organisation').fill('ITA');
    await admin.locator('form[action="/admin/users"]').getByLabel(/^Roles/).fill('operator');
    await admin.locator('form[action="/admin/users"]').getByLabel('First password').fill('a-long-pass-phrase-for-giulia');
    await admin.locator('form[action="/admin/users"]').getByRole('button', { name: 'Add' }).click();
    await admin.locator('#new-secrets').waitFor();
    const secret = (await admin.locator('#new-secrets dd code').first().textContent()).trim();
    await shot(admin, 'admin');
    assert.match(await admin.locator('#user-ita\\.desk').textContent(), /ITA/);

    const page = await newPage();
    await page.goto(`${base}/signin`);
    await page.getByLabel('User name').fill('ita.desk');
    await page.getByLabel('Password').fill('a-long-pass-phrase-for-giulia');
    await page.getByLabel(/Code from your authenticator/).fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/check`);
    assert.match(await page.locator('.who').textContent(), /ita\.desk · ITA/);
    noProblems(admin);
    noProblems(page);
    await page.context().close();
  });

  test('statistics draw the flows and download as CSV', async () => {
    const page = await as('sg.reviewer');
    await page.goto(`${base}/statistics`);
    assert.ok((await page.locator('svg.sankey path.band').count()) > 0, 'flows drawn');
    assert.ok((await page.locator('svg.routes path.leg').count()) > 0, 'legs on the map');
    assert.ok((await page.locator('#trends tbody tr').count()) > 0);
    await shot(page, 'statistics');
    const csv = await page.request.get(`${base}/statistics/flows.csv`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /text\/csv/);
    assert.match(await csv.text(), /^source,transit,destination,exploitation,year,cases,victims\n[A-Z]{3},/);
    noProblems(page);
  });

  test('anyone searches the public notices without signing in', async () => {
    const page = await newPage();
    await page.goto(`${base}/public`);
    assert.ok((await page.locator('article.public-card').count()) >= 1);
    await page.getByLabel('Family name').fill('LEFEBVRE');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/name=LEFEBVRE/);
    const cards = page.locator('article.public-card');
    assert.equal(await cards.count(), 1);
    assert.match(await cards.first().textContent(), /LEFEBVRE, MARC/);
    const photo = cards.first().locator('img');
    // The page's load event may come before a slow image's: wait for the image itself (an
    // image that fails to load still fails the test).
    const loaded = await photo.evaluate((img) =>
      img.complete
        ? img.naturalWidth > 0
        : new Promise((resolve) => {
            img.addEventListener('load', () => resolve(img.naturalWidth > 0), { once: true });
            img.addEventListener('error', () => resolve(false), { once: true });
          }));
    assert.ok(loaded, 'the photo loads');
    await shot(page, 'public');
    noProblems(page);
    await page.context().close();
  });
});

describe('bulk import', () => {
  test('a CSV with bad rows is refused whole, each problem at its line; mended, it is imported and checks find it', async () => {
    const page = await as('fra.operator');
    await page.goto(`${base}/records`);
    const stamp = Date.now() % 1000000;
    const header = 'number,issuing_country,type,status,reported_date';
    const bad = [header, `IM${stamp}01,FRA,passport,stolen,2026-11-02`, `IM${stamp}02,ZZZ,passport,stolen,2026-11-02`,
      `IM${stamp}03,FRA,passport,eaten,2026-11-02`].join('\n');
    const form = page.locator('#import-form');
    await form.getByLabel('Records').selectOption('documents');
    await form.getByLabel(/^CSV file/).setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await form.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-errors').waitFor();
    const rows = await page.locator('tbody tr').allTextContents();
    assert.ok(rows.some((r) => r.startsWith('3') && r.includes('issuing_country')), rows.join(' | '));
    assert.ok(rows.some((r) => r.startsWith('4') && r.includes('status')), rows.join(' | '));
    await shot(page, 'import-refused');
    const good = [header, `IM${stamp}01,FRA,passport,stolen,2026-11-02`, `IM${stamp}02,DEU,id_card,lost,2026-11-02`].join('\n');
    await page.locator('#import-form').getByLabel(/^CSV file/).setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.locator('#import-form').getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-done').waitFor();
    assert.match(await page.locator('#import-done').textContent(), /2 records added/);
    await page.goto(`${base}/check`);
    await page.getByLabel(/Document number, machine-readable zone/).fill(`IM${stamp}02`);
    await page.getByLabel(/^Country/).fill('DEU');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('.verdict').waitFor();
    assert.equal((await page.locator('.verdict-label').textContent()).trim(), 'HIT');
    noProblems(page);
  });
});

describe('passenger manifests', () => {
  test("an airline's PAXLST file is screened: its report, then the travel warnings page", async () => {
    const page = await as('fra.operator');
    await page.goto(`${base}/check`);
    const manifest = fs.readFileSync(new URL('../../../docs/examples/manifest-af1234.edi', import.meta.url));
    await page.getByLabel(/UN\/EDIFACT PAXLST file/).setInputFiles({ name: 'af1234.edi', mimeType: 'application/edifact', buffer: manifest });
    await page.getByRole('button', { name: 'Screen the manifest' }).click();
    await page.waitForURL(/\/manifests\/\d+$/);
    assert.match(await page.locator('.verdict-label').textContent(), /HIT|NO HIT|POSSIBLE HIT/);
    assert.match(await page.locator('pre.summary').textContent(), /AF1234|travellers/i);
    await shot(page, 'manifest');
    // A broken file is refused at its segment, and nothing is screened.
    await page.goto(`${base}/check`);
    const broken = Buffer.from(manifest.toString('latin1').replace(/UNT\+\d+/, 'UNT+999'), 'latin1');
    await page.getByLabel(/UN\/EDIFACT PAXLST file/).setInputFiles({ name: 'broken.edi', mimeType: 'application/edifact', buffer: broken });
    await page.getByRole('button', { name: 'Screen the manifest' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /UNT|segment/i);
    await page.goto(`${base}/warnings`);
    assert.equal(await page.locator('h1').textContent(), 'Travel warnings');
    noProblems(page);
  });
});

describe('changing a record', () => {
  test('the owner changes a record in place; a bad value is refused beside its field', async () => {
    const page = await as('fra.operator');
    await page.goto(`${base}/records`);
    const number = `ED${Date.now() % 10000000}`;
    const form = page.locator('form[action="/records/vehicles"]');
    await form.getByLabel('VIN').fill('');
    await form.getByLabel('Plate', { exact: true }).fill(number);
    await form.getByLabel("Plate's country").fill('FRA');
    await form.getByLabel('Make').fill('Peugeot');
    await form.getByLabel('Status').fill('stolen');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/records\/vehicles\/\d+$/);
    const address = page.url();
    await page.getByText('Change this record').click();
    const edit = page.locator('form[action$="/edit"]');
    assert.equal(await edit.getByLabel('Make').inputValue(), 'Peugeot');
    await edit.getByLabel('Status').fill('melted');
    await edit.getByRole('button', { name: 'Save the changes' }).click();
    await page.locator('#edit-status-error').waitFor();
    await page.locator('form[action$="/edit"]').getByLabel('Status').fill('misappropriated');
    await page.locator('form[action$="/edit"]').getByLabel('Colour').fill('grey');
    await page.locator('form[action$="/edit"]').getByRole('button', { name: 'Save the changes' }).click();
    await page.waitForURL(address);
    const text = await page.locator('main').textContent();
    assert.match(text, /misappropriated/);
    assert.match(text, /grey/);
    // Another bureau sees no form to change it (and the hub would refuse it anyway).
    const germany = await as('deu.operator');
    await germany.goto(address);
    assert.equal(await germany.locator('form[action$="/edit"]').count(), 0);
    noProblems(page);
  });
});
