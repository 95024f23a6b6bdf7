// Builds the decks: assembles each manifest of decks/ into out/DECK.md, then
// renders it with Marp to out/DECK.html (self-contained: works offline), and
// to out/DECK.pdf with --pdf (needs Chromium: CHROME_PATH, default /usr/bin/chromium).
//
//   node build.mjs                   every deck, HTML
//   node build.mjs --pdf talk-60     one deck, HTML and PDF
//   node build.mjs --md-only         assemble only (no Marp)
//   node build.mjs --out DIR         somewhere else than out/
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { assembleDeck, deckNames, SLIDES_DIR, ROOT } from './lib/assemble.mjs'
import { scanRegions } from './lib/regions.mjs'

export const CONFIG = join(SLIDES_DIR, 'marp.config.mjs')
export const DEFAULT_OUT = join(SLIDES_DIR, 'out')

async function marp(args) {
  const { marpCli } = await import('@marp-team/marp-cli')
  const status = await marpCli(['--config-file', CONFIG, '--no-stdin', ...args])
  if (status !== 0) throw new Error(`marp ${args.join(' ')} failed with status ${status}`)
}

// Assembles (and renders) the decks; returns [{ deck, sections, excerpts, md, html, pdf }].
export async function buildDecks({ decks = deckNames(), out = DEFAULT_OUT, html = true, pdf = false, log = () => {} } = {}) {
  const regions = scanRegions(ROOT)
  mkdirSync(out, { recursive: true })
  const built = []
  for (const deck of decks) {
    const result = assembleDeck(deck, regions)
    const md = join(out, `${deck}.md`)
    writeFileSync(md, result.markdown)
    const files = { md }
    if (html) {
      files.html = join(out, `${deck}.html`)
      await marp(['--html', '-o', files.html, md])
    }
    if (pdf) {
      files.pdf = join(out, `${deck}.pdf`)
      const browser = process.env.CHROME_PATH || '/usr/bin/chromium'
      await marp(['--pdf', '--pdf-outlines', '--browser', 'chrome', '--browser-path', browser, '-o', files.pdf, md])
    }
    log(`${deck}: ${result.sections.length} sections, ${result.slides} slides, ${result.excerpts.length} excerpts -> ${Object.values(files).join(', ')}`)
    if (result.unset.length) log(`${deck}: unset in slides/presenter.txt, so left off the slides: ${result.unset.join(', ')}`)
    built.push({ ...result, ...files, regions })
  }
  return built
}

async function main(argv) {
  const opts = { decks: [], out: DEFAULT_OUT, html: true, pdf: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--pdf') opts.pdf = true
    else if (arg === '--md-only') opts.html = false
    else if (arg === '--out') opts.out = argv[++i]
    else if (arg === '-h' || arg === '--help') {
      console.log('usage: node build.mjs [--pdf] [--md-only] [--out DIR] [DECK...]\ndecks: ' + deckNames().join(' '))
      return 0
    } else if (arg.startsWith('-')) {
      console.error(`build: unknown option ${arg}`)
      return 2
    } else opts.decks.push(arg)
  }
  if (opts.decks.length === 0) opts.decks = deckNames()
  await buildDecks({ ...opts, log: (line) => console.log(line) })
  return 0
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error) => {
      console.error(`build: ${error.message}`)
      process.exit(1)
    },
  )
}
