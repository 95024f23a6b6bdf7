// The slides' tests. Builds every deck afresh into a temporary folder, then:
//
//   render    each deck renders to HTML that works offline (no script, style, font or
//             image from the network), with every slide, and every section is in a deck
//   excerpts  every marked region is well-formed, at most 15 lines, shown on a slide,
//             and each rendered deck holds the current text of each region it shows
//   demos     every `scripts/demo ...` command in the decks is one scripts/demo accepts
//             (scripts/demo --dry-run), and every example section has one in its notes
//   length    each deck fits its time: at most SLIDE_BUDGET slides, and the minutes its
//             manifest plans ('# minutes: N' on every section's line, demos and questions
//             included) add up to no more than the deck's length (talk-60: 60)
//
//   node check.mjs                    all four
//   node check.mjs render demos       some of them
// Prints one line per check and a summary line; exit status 1 when any failed.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { buildDecks } from './build.mjs'
import { assembleDeck, deckNames, minutes, readManifest, ROOT, sectionNames } from './lib/assemble.mjs'
import { MAX_LINES, regionText, scanRegions } from './lib/regions.mjs'

const GROUPS = ['render', 'excerpts', 'demos', 'length']
// The most slides a deck may have: a slide is about a minute, and the demos and
// questions need their time too.
export const SLIDE_BUDGET = { 'talk-60': 44, 'talk-75': 52, 'talk-120': 82 }
const DEMO_SCRIPT = join(ROOT, 'scripts', 'demo')

let passed = 0
let failed = 0
function check(name, fn) {
  try {
    const problems = fn() ?? []
    if (problems.length === 0) {
      passed++
      console.log(`ok - ${name}`)
      return
    }
    failed++
    console.log(`not ok - ${name}\n    ${problems.join('\n    ')}`)
  } catch (error) {
    failed++
    console.log(`not ok - ${name}\n    ${error.message.replaceAll('\n', '\n    ')}`)
  }
}

// --- HTML helpers -----------------------------------------------------------

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }
const decode = (text) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
    return ENTITIES[e.toLowerCase()] ?? whole
  })

// The text of every <pre> block, as a reader sees it (highlighting removed).
export const codeBlocks = (html) =>
  [...html.matchAll(/<pre\b[^>]*>([\s\S]*?)<\/pre>/g)].map((m) => decode(m[1].replace(/<[^>]+>/g, '')).replace(/\n$/, ''))

export const showsRegion = (html, text) => codeBlocks(html).some((block) => block === text)

// Resources a browser would fetch from the network (links in <a href> are fine).
function networkResources(html) {
  const found = []
  const patterns = [
    /<script\b[^>]*\bsrc\s*=\s*["']?(https?:)?\/\/[^"'\s>]+/gi,
    /<link\b[^>]*\bhref\s*=\s*["']?(https?:)?\/\/[^"'\s>]+/gi,
    /<(img|iframe|video|audio|source|embed)\b[^>]*\bsrc\s*=\s*["']?(https?:)?\/\/[^"'\s>]+/gi,
    /@import\s+(url\()?\s*["']?(https?:)?\/\/[^"')\s]+/gi,
    /url\(\s*["']?(https?:)?\/\/[^"')\s]+/gi,
    /<image\b[^>]*href\s*=\s*["']?(https?:)?\/\/[^"'\s>]+/gi,
  ]
  for (const p of patterns) for (const m of html.matchAll(p)) found.push(m[0].slice(0, 120))
  return found
}

// --- Demo commands ----------------------------------------------------------

// `scripts/demo ARGS` wherever it appears in a deck (notes or slides): the
// arguments run to the end of the line, a backtick, a '#' comment or an HTML tag.
export function demoCommands(markdown) {
  const commands = []
  for (const m of markdown.matchAll(/scripts\/demo((?:[ \t]+[^\s`#<>|;&]+)*)/g)) {
    const args = m[1].trim().split(/\s+/).filter(Boolean)
    commands.push(args)
  }
  return commands
}

const runDemo = (args) => spawnSync('bash', [DEMO_SCRIPT, ...args, '--dry-run'], { encoding: 'utf8', timeout: 30000 })

// --- Main -------------------------------------------------------------------

async function main(argv) {
  const groups = argv.length ? argv : GROUPS
  for (const g of groups) {
    if (!GROUPS.includes(g)) {
      console.error(`check: unknown check '${g}'; checks: ${GROUPS.join(', ')}`)
      return 2
    }
  }
  const render = groups.includes('render') || groups.includes('excerpts')
  const out = mkdtempSync(join(tmpdir(), 'bb-slides-'))
  try {
    const decks = deckNames()
    const built = await buildDecks({ decks, out, html: render }).catch((error) => error)
    check(`the decks assemble${render ? ' and render' : ''} (${decks.join(', ')})`, () =>
      built instanceof Error ? [built.message] : [])
    if (built instanceof Error) return summary()
    const html = Object.fromEntries(render ? built.map((b) => [b.deck, readFileSync(b.html, 'utf8')]) : [])

    if (groups.includes('render')) {
      for (const b of built) {
        check(`${b.deck}: every slide rendered`, () => {
          const slides = (b.markdown.match(/^---$/gm) ?? []).length - 1 // minus the front matter's closing line
          const rendered = (html[b.deck].match(/<section\b/g) ?? []).length
          return rendered === slides ? [] : [`expected ${slides} slides, the HTML has ${rendered}`]
        })
        check(`${b.deck}: works offline (nothing fetched from the network)`, () =>
          networkResources(html[b.deck]).map((r) => `network resource: ${r}`))
        check(`${b.deck}: no directive left unexpanded`, () => [
          ...(/@(excerpt|presenter|qr|repository)\b/.test(html[b.deck]) ? ['an "@" directive appears in the rendered deck'] : []),
          ...(/<!--\s*decks\s*:/.test(b.markdown) ? ['a "<!-- decks: ... -->" line is left in the assembled deck'] : []),
        ])
      }
      check('presenter.txt reaches the slides: the name, the repository and its QR code', () => {
        const settings = { name: 'Ada Lovelace', links: 'example.org/ada', repository: 'https://example.org/bb.git', unset: [] }
        const deck = assembleDeck(decks[0], scanRegions(ROOT), settings).markdown
        const unset = assembleDeck(decks[0], scanRegions(ROOT), { name: '', links: '', repository: '', unset: ['name', 'links', 'repository'] }).markdown
        return [
          ...(deck.includes('**Ada Lovelace** · example.org/ada') ? [] : ['the title slide does not name the presenter']),
          ...(deck.includes('git clone https://example.org/bb.git') ? [] : ['"Follow along" does not give the repository']),
          ...((deck.match(/<svg class="qr"[^>]*aria-label="QR code: https:\/\/example.org\/bb.git"/g) ?? []).length >= 2 ? [] : ['fewer than two QR codes of the repository']),
          ...(/class="qr"|Ada/.test(unset) ? ['with presenter.txt empty, a QR code or a name is still shown'] : []),
          ...(unset.includes('git clone <the repository>') ? [] : ['with no repository, "Follow along" does not say "<the repository>"']),
        ]
      })
      check('every section file is in at least one deck', () => {
        const used = new Set(deckNames().flatMap(readManifest))
        return sectionNames().filter((s) => !used.has(s)).map((s) => `sections/${s}.md is in no deck manifest`)
      })
    }

    if (groups.includes('excerpts')) {
      const regions = scanRegions(ROOT)
      check(`every marked region has at most ${MAX_LINES} lines`, () =>
        [...regions.values()].filter((r) => r.lines.length > MAX_LINES).map((r) => `${r.name}: ${r.lines.length} lines`))
      check('every marked region is shown in some deck', () => {
        const shown = new Set(built.flatMap((b) => b.excerpts.map((e) => e.region)))
        return [...regions.values()].filter((r) => !shown.has(r.name))
          .map((r) => `${r.file}:${r.first - 1}: region '${r.name}' is on no slide: show it or remove its markers`)
      })
      for (const b of built) {
        check(`${b.deck}: shows the current code of its ${b.excerpts.length} excerpts`, () =>
          b.excerpts.filter((e) => !showsRegion(html[b.deck], regionText(regions.get(e.region))))
            .map((e) => `region '${e.region}' (section ${e.section}) is not in the rendered deck as it is in ${regions.get(e.region).file}`))
      }
      // The comparison above must be able to fail: a region changed by one character is not found.
      check('a changed region is noticed (self-test of the comparison)', () => {
        const b = built.find((d) => d.excerpts.length > 0)
        const text = regionText(regions.get(b.excerpts[0].region))
        const changed = text.replace(/\S(?=\s*$)/, (c) => (c === ';' ? ':' : ';'))
        const problems = []
        if (!showsRegion(html[b.deck], text)) problems.push('the unchanged region is not found')
        if (showsRegion(html[b.deck], changed)) problems.push('a changed region is still found: the comparison is vacuous')
        return problems
      })
    }

    if (groups.includes('demos')) {
      const bad = runDemo(['no-such-demo'])
      check('scripts/demo --dry-run rejects an unknown demo (status 2)', () =>
        bad.status === 2 ? [] : [`status ${bad.status}, expected 2: ${bad.stderr}`])
      for (const b of built) {
        const commands = demoCommands(b.markdown)
        check(`${b.deck}: its ${commands.length} demo commands are ones scripts/demo accepts`, () =>
          commands.flatMap((args) => {
            const r = runDemo(args)
            const line = `scripts/demo ${args.join(' ')}`
            if (r.status !== 0) return [`${line}: status ${r.status}: ${(r.stderr || '').trim().split('\n')[0]}`]
            if (!r.stdout.trim()) return [`${line}: starts no program`]
            return []
          }))
      }
      check('every example section gives its demo command in the speaker notes', () =>
        sectionNames().filter((s) => s.startsWith('example-')).flatMap((s) => {
          const text = readFileSync(join(ROOT, 'slides', 'sections', `${s}.md`), 'utf8')
          const notes = [...text.matchAll(/<!--([\s\S]*?)-->/g)].map((m) => m[1]).join('\n')
          return demoCommands(notes).length ? [] : [`sections/${s}.md: no 'scripts/demo ...' in its notes`]
        }))
    }
    if (groups.includes('length')) {
      for (const b of built) {
        const length = minutes(b.deck)
        const budget = SLIDE_BUDGET[b.deck]
        const unplanned = b.entries.filter((e) => e.minutes === null)
        const planned = b.entries.reduce((sum, e) => sum + (e.minutes ?? 0), 0)
        const shown = Math.round(planned * 10) / 10
        check(`${b.deck}: ${b.slides} slides (at most ${budget ?? '?'}), ${shown} minutes planned (of ${length})`, () => {
          const problems = []
          if (budget === undefined) problems.push(`no slide budget for '${b.deck}' in check.mjs (SLIDE_BUDGET)`)
          else if (b.slides > budget) problems.push(`${b.slides} slides: ${b.slides - budget} over the budget of ${budget}; mark slides '<!-- decks: ... -->' to leave them out of this deck`)
          if (!Number.isFinite(length)) problems.push(`the deck's name gives no length in minutes (talk-N)`)
          else if (planned > length + 1e-9) problems.push(`${shown} minutes planned: ${Math.round((planned - length) * 10) / 10} more than the ${length} minutes of the talk`)
          for (const e of unplanned) problems.push(`${e.file}:${e.line}: section '${e.name}' has no '# minutes: N'`)
          return problems
        })
      }
    }
    return summary()
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

function summary() {
  console.log(`slides: ${passed} passed, ${failed} failed`)
  return failed ? 1 : 0
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error) => {
    console.error(`check: ${error.stack}`)
    process.exit(1)
  },
)
