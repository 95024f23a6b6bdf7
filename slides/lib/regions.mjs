// Marked regions of the example sources: the code the slides show.
//
//   // slide: ticker-pub-send        opens region "ticker-pub-send" (the line itself is not shown)
//   ...code...
//   // end slide                     closes it
//
// Names are lowercase words joined by '-', unique across the repository.
// Regions do not nest. A region holds at most MAX_LINES lines, so that it
// stays readable from the back of a room.
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join, relative } from 'node:path'

export const MAX_LINES = 15
export const SOURCE_DIRS = ['examples', 'common']
const SOURCE_EXTENSIONS = new Map([
  ['.cpp', 'cpp'], ['.hpp', 'cpp'], ['.h', 'cpp'], ['.cc', 'cpp'],
  ['.py', 'python'], ['.java', 'java'],  // the peers in other languages (Python: '# slide: NAME')
])

const OPEN = /^\s*(?:\/\/|#) slide: (\S*)\s*$/
const CLOSE = /^\s*(?:\/\/|#) end slide\s*$/
const LOOSE = /(?:\/\/|#)\s*(slide\b|end\s+slide\b)/ // anything that looks like a marker
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* sourceFiles(path)
    else if (SOURCE_EXTENSIONS.has(extname(entry.name))) yield path
  }
}

// Removes the indentation common to every non-blank line.
export function dedent(lines) {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => l.match(/^ */)[0].length)
  const cut = indents.length ? Math.min(...indents) : 0
  return lines.map((l) => l.slice(cut).trimEnd())
}

// Every region under root's SOURCE_DIRS, by name: { name, file, first, last,
// lang, lines }. first/last are 1-based line numbers of the shown code.
// Throws one Error listing every malformed marker it found.
export function scanRegions(root) {
  const regions = new Map()
  const errors = []
  for (const dir of SOURCE_DIRS) {
    for (const path of sourceFiles(join(root, dir))) {
      const file = relative(root, path)
      const text = readFileSync(path, 'utf8').split('\n')
      let open = null
      text.forEach((line, i) => {
        const where = `${file}:${i + 1}`
        const opening = line.match(OPEN)
        if (opening) {
          const name = opening[1]
          if (!NAME.test(name)) errors.push(`${where}: bad region name '${name}' (use lowercase-words-with-dashes)`)
          if (open) errors.push(`${where}: region '${name}' opens inside region '${open.name}' (regions do not nest)`)
          open = { name, file, start: i + 1 }
        } else if (CLOSE.test(line)) {
          if (!open) { errors.push(`${where}: '// end slide' with no open region`); return }
          const lines = dedent(text.slice(open.start, i))
          const region = { name: open.name, file, first: open.start + 1, last: i, lang: SOURCE_EXTENSIONS.get(extname(file)), lines }
          if (lines.every((l) => l === '')) errors.push(`${where}: region '${open.name}' is empty`)
          if (lines.length > MAX_LINES) errors.push(`${file}:${open.start}: region '${open.name}' has ${lines.length} lines; at most ${MAX_LINES} fit on a slide`)
          if (regions.has(open.name)) {
            const other = regions.get(open.name)
            errors.push(`${file}:${open.start}: region '${open.name}' is also marked in ${other.file}:${other.first - 1}`)
          }
          regions.set(open.name, region)
          open = null
        } else if (LOOSE.test(line)) {
          errors.push(`${where}: looks like a slide marker but is not one: '${line.trim()}' (expected '// slide: NAME' or '// end slide', alone on the line)`)
        }
      })
      if (open) errors.push(`${file}:${open.start}: region '${open.name}' is never closed with '// end slide'`)
    }
  }
  if (errors.length) throw new Error(`malformed slide markers:\n  ${errors.join('\n  ')}`)
  return regions
}

export const regionText = (region) => region.lines.join('\n')
