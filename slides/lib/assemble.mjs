// Assembly: a deck is the section files its manifest lists, in order, joined
// into one Marp Markdown file, with every `@excerpt NAME` line replaced by the
// current code of that marked region (see regions.mjs).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'

import { regionText } from './regions.mjs'

// QR codes are drawn from qrcode's modules (npm, pinned in package-lock.json).
let qrcode = null
try {
  qrcode = (await import('qrcode')).default
} catch {
  // not installed: decks that show a QR code say so when they are built
}

export const SLIDES_DIR = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
export const ROOT = join(SLIDES_DIR, '..')
export const DECKS_DIR = join(SLIDES_DIR, 'decks')
export const SECTIONS_DIR = join(SLIDES_DIR, 'sections')

const EXCERPT = /^@excerpt\s+(\S+)\s*$/
// '@presenter' and '@qr' alone on a line; '@repository' anywhere in a line.
const PRESENTER = /^@presenter\s*$/
const QR = /^@qr\s*$/
const REPOSITORY = /@repository\b/g
export const SETTINGS_FILE = join(SLIDES_DIR, 'presenter.txt')

// presenter.txt: 'key = value' lines, '#' comments. The repository defaults to
// the git remote "origin". Returns { name, links, repository, unset: [keys] }.
export function readSettings(path = SETTINGS_FILE) {
  const settings = { name: '', links: '', repository: '' }
  if (existsSync(path)) {
    readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*(#|$)/.test(line)) return
      const m = line.match(/^\s*(\w+)\s*=\s*(.*?)\s*$/)
      if (!m || !(m[1] in settings)) throw new Error(`${path}:${i + 1}: expected 'name = ...', 'links = ...' or 'repository = ...'`)
      settings[m[1]] = m[2]
    })
  }
  if (!settings.repository) {
    try {
      settings.repository = execFileSync('git', ['-C', ROOT, 'remote', 'get-url', 'origin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    } catch {
      // no remote: left unset
    }
  }
  return { ...settings, unset: Object.keys(settings).filter((k) => !settings[k]) }
}

// An SVG of the QR code for text, drawn as one path of dark modules.
export function qrSvg(text) {
  if (!qrcode) throw new Error("the QR code needs the npm package 'qrcode' (scripts/slides --install)")
  const { modules } = qrcode.create(text, { errorCorrectionLevel: 'M' })
  const n = modules.size, quiet = 2
  let d = ''
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (modules.get(r, c)) d += `M${c + quiet},${r + quiet}h1v1h-1z`
  const size = n + 2 * quiet
  const label = text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  return `<svg class="qr" viewBox="0 0 ${size} ${size}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="QR code: ${label}"><rect width="${size}" height="${size}" fill="#ffffff"/><path d="${d}" fill="#000000"/></svg>`
}

// A line with the settings in it: '@presenter' becomes "**name** · links",
// '@qr' the repository's QR code, '@repository' its address; a line whose
// setting is unset is left out (null), and '@repository' then reads
// "<the repository>".
function expandSettings(line, settings) {
  if (PRESENTER.test(line)) return settings.name ? `**${settings.name}**${settings.links ? ` · ${settings.links}` : ''}` : null
  if (QR.test(line)) return settings.repository ? `<div class="qr">${qrSvg(settings.repository)}</div>` : null
  return line.replace(REPOSITORY, settings.repository || '<the repository>')
}
// Longest line (after dedent) -> the code size class the theme defines: 28 px
// up to 64 columns, 25 px ('wide') up to 76. A wider region is an error: code
// below 24 px cannot be read from the back of a room.
const WIDTHS = [[64, ''], [76, 'wide']] // see theme/beyond.css
export const MAX_WIDTH = WIDTHS.at(-1)[0]

export const deckNames = () =>
  readdirSync(DECKS_DIR).filter((f) => f.endsWith('.txt')).map((f) => basename(f, '.txt')).sort()

export const sectionNames = () =>
  readdirSync(SECTIONS_DIR).filter((f) => f.endsWith('.md')).map((f) => basename(f, '.md')).sort()

// A manifest: one section name per line, '#' starts a comment. A section's line
// may end with '# minutes: N': the minutes planned for that section in this deck,
// its demos (and, for the conclusion, the questions) included; N may be a decimal.
const MINUTES = /#\s*minutes:\s*(\S*)/
export function readManifestEntries(deck) {
  const path = join(DECKS_DIR, `${deck}.txt`)
  if (!existsSync(path)) throw new Error(`no deck '${deck}' (expected ${path}); decks: ${deckNames().join(', ')}`)
  const entries = []
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    const name = line.replace(/#.*/, '').trim().replace(/\.md$/, '')
    const m = line.match(MINUTES)
    if (!name) {
      if (/^\s*#\s*minutes:/.test(line)) throw new Error(`${path}:${i + 1}: '# minutes: N' goes at the end of a section's line`)
      return
    }
    let planned = null
    if (m) {
      planned = Number(m[1])
      if (m[1] === '' || !Number.isFinite(planned) || planned < 0) throw new Error(`${path}:${i + 1}: '# minutes: ${m[1]}' is not a number of minutes`)
    }
    entries.push({ name, minutes: planned, file: path, line: i + 1 })
  })
  return entries
}

export const readManifest = (deck) => readManifestEntries(deck).map((e) => e.name)

// The deck's length in minutes, from its name: talk-60 -> 60.
export const minutes = (deck) => Number(deck.match(/(\d+)$/)?.[1] ?? NaN)

function excerptMarkdown(region) {
  const width = Math.max(...region.lines.map((l) => l.length))
  const size = WIDTHS.find(([max]) => width <= max)
  if (!size) throw new Error(`region '${region.name}' (${region.file}:${region.first}) has a ${width}-character line; at most ${MAX_WIDTH} fit on a slide`)
  const classes = ['excerpt', size[1]].filter(Boolean).join(' ')
  const fence = '```'
  return [
    `<div class="${classes}" data-region="${region.name}">`,
    '',
    `${fence}${region.lang}`,
    regionText(region),
    fence,
    '',
    `<p class="source">${region.file} · lines ${region.first}–${region.last}</p>`,
    '</div>',
  ].join('\n')
}

// A slide holding '<!-- decks: talk-75 talk-120 -->' (a line of its own) is only
// in the decks it names; a slide without one is in every deck that lists its section.
const DECKS_DIRECTIVE = /^\s*<!--\s*decks\s*:(.*?)-->\s*$/
const SLIDE_BREAK = /^---\s*$/

// A section's slides: [{ first, lines: [{ text, number }], decks: null | [names] }],
// the directive lines taken out and their deck names checked.
export function sectionSlides(name) {
  const path = join(SECTIONS_DIR, `${name}.md`)
  if (!existsSync(path)) throw new Error(`section '${name}' not found: expected ${path}`)
  const text = readFileSync(path, 'utf8')
  if (/^---\s*$/m.test(text.split('\n')[0])) throw new Error(`${path}: a section starts with a slide, not with '---' or front matter`)
  const known = deckNames()
  const slides = [{ first: 1, lines: [], decks: null }]
  text.trimEnd().split('\n').forEach((line, i) => {
    const number = i + 1
    if (SLIDE_BREAK.test(line)) {
      slides.push({ first: number + 1, lines: [], decks: null })
      return
    }
    const slide = slides.at(-1)
    const m = line.match(DECKS_DIRECTIVE)
    if (!m) {
      if (/<!--\s*decks\s*:/.test(line)) throw new Error(`${path}:${number}: write '<!-- decks: DECK ... -->' alone on its line`)
      slide.lines.push({ text: line, number })
      return
    }
    const names = m[1].trim().split(/[\s,]+/).filter(Boolean)
    if (names.length === 0) throw new Error(`${path}:${number}: a decks directive names no deck; decks: ${known.join(', ')}`)
    for (const deck of names) {
      if (!known.includes(deck)) throw new Error(`${path}:${number}: unknown deck '${deck}' in a decks directive; decks: ${known.join(', ')}`)
    }
    if (slide.decks) throw new Error(`${path}:${number}: a second decks directive on the slide starting at line ${slide.first}`)
    slide.decks = names
  })
  return { path, slides }
}

export const inDeck = (slide, deck) => slide.decks === null || slide.decks.includes(deck)

// One section's Markdown for one deck: the deck's slides, excerpts expanded;
// `used` collects the region names they show. Returns { markdown, slides }.
export function expandSection(name, regions, used, deck, settings = readSettings()) {
  const { path, slides } = sectionSlides(name)
  const kept = slides.filter((s) => deck === undefined || inDeck(s, deck))
  if (kept.length === 0) throw new Error(`${path}: no slide of section '${name}' is in deck '${deck}' (see its '<!-- decks: ... -->' lines), yet the manifest lists it`)
  const expanded = kept.map((slide) =>
    slide.lines
      .map(({ text: line, number }) => {
        const m = line.match(EXCERPT)
        if (!m) {
          if (line.includes('@excerpt')) throw new Error(`${path}:${number}: write '@excerpt NAME' alone on its line`)
          if (/@(presenter|qr)\b/.test(line) && !PRESENTER.test(line) && !QR.test(line))
            throw new Error(`${path}:${number}: write '@presenter' and '@qr' alone on their line`)
          return expandSettings(line, settings)
        }
        const region = regions.get(m[1])
        if (!region) {
          const known = [...regions.keys()].sort().join(', ')
          throw new Error(`${path}:${number}: no marked region '${m[1]}' in the sources (is '// slide: ${m[1]}' ... '// end slide' still there?). Regions: ${known}`)
        }
        used.push({ region: region.name, section: name })
        return excerptMarkdown(region)
      })
      .filter((line) => line !== null)
      .join('\n')
      .trim(),
  )
  return { markdown: expanded.join('\n\n---\n\n'), slides: kept.length }
}

// The whole deck: front matter, then each section, slides separated by '---'.
export function assembleDeck(deck, regions, settings = readSettings()) {
  const entries = readManifestEntries(deck)
  const sections = entries.map((e) => e.name)
  if (sections.length === 0) throw new Error(`deck '${deck}' lists no sections`)
  const used = []
  const front = [
    '---',
    'marp: true',
    'theme: beyond',
    'paginate: true',
    'size: 16:9',
    `title: "Beyond the Box: Distributed Computing with ZeroMQ (${minutes(deck)} minutes)"`,
    'description: "Companion slides; the code on them is pulled from the examples at build time."',
    '---',
  ].join('\n')
  const parts = sections.map((s) => expandSection(s, regions, used, deck, settings))
  const body = parts.map((p) => p.markdown).join('\n\n---\n\n')
  const slides = parts.reduce((n, p) => n + p.slides, 0)
  const planned = entries.map((e, i) => ({ ...e, slides: parts[i].slides }))
  return { deck, sections, entries: planned, slides, excerpts: used, unset: settings.unset, markdown: `${front}\n\n${body}\n` }
}
