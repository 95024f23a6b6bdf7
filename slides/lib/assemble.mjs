// Assembly: a deck is the section files its manifest lists, in order, joined
// into one Marp Markdown file, with every `@excerpt NAME` line replaced by the
// current code of that marked region (see regions.mjs).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'

import { regionText } from './regions.mjs'

export const SLIDES_DIR = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
export const ROOT = join(SLIDES_DIR, '..')
export const DECKS_DIR = join(SLIDES_DIR, 'decks')
export const SECTIONS_DIR = join(SLIDES_DIR, 'sections')

const EXCERPT = /^@excerpt\s+(\S+)\s*$/
// Longest line (after dedent) -> the code size class the theme defines.
const WIDTHS = [[64, ''], [76, 'wide'], [88, 'wider'], [100, 'widest']] // see theme/beyond.css
export const MAX_WIDTH = WIDTHS.at(-1)[0]

export const deckNames = () =>
  readdirSync(DECKS_DIR).filter((f) => f.endsWith('.txt')).map((f) => basename(f, '.txt')).sort()

export const sectionNames = () =>
  readdirSync(SECTIONS_DIR).filter((f) => f.endsWith('.md')).map((f) => basename(f, '.md')).sort()

// A manifest: one section name per line, '#' starts a comment.
export function readManifest(deck) {
  const path = join(DECKS_DIR, `${deck}.txt`)
  if (!existsSync(path)) throw new Error(`no deck '${deck}' (expected ${path}); decks: ${deckNames().join(', ')}`)
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((name) => name.replace(/\.md$/, ''))
}

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

// One section's Markdown with its excerpts expanded; `used` collects the
// region names it shows.
export function expandSection(name, regions, used) {
  const path = join(SECTIONS_DIR, `${name}.md`)
  if (!existsSync(path)) throw new Error(`section '${name}' not found: expected ${path}`)
  const text = readFileSync(path, 'utf8')
  if (/^---\s*$/m.test(text.split('\n')[0])) throw new Error(`${path}: a section starts with a slide, not with '---' or front matter`)
  return text
    .trimEnd()
    .split('\n')
    .map((line, i) => {
      const m = line.match(EXCERPT)
      if (!m) {
        if (line.includes('@excerpt')) throw new Error(`${path}:${i + 1}: write '@excerpt NAME' alone on its line`)
        return line
      }
      const region = regions.get(m[1])
      if (!region) {
        const known = [...regions.keys()].sort().join(', ')
        throw new Error(`${path}:${i + 1}: no marked region '${m[1]}' in the sources (is '// slide: ${m[1]}' ... '// end slide' still there?). Regions: ${known}`)
      }
      used.push({ region: region.name, section: name })
      return excerptMarkdown(region)
    })
    .join('\n')
}

// The whole deck: front matter, then each section, slides separated by '---'.
export function assembleDeck(deck, regions) {
  const sections = readManifest(deck)
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
  const body = sections.map((s) => expandSection(s, regions, used)).join('\n\n---\n\n')
  return { deck, sections, excerpts: used, markdown: `${front}\n\n${body}\n` }
}
