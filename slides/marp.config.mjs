// Marp settings for every deck (build.mjs passes this file explicitly).
// Everything renders offline: no emoji images, no math fonts, no scripts from a CDN.
export default {
  html: true, // inline SVG diagrams and the excerpt wrappers
  themeSet: ['./theme'],
  options: {
    emoji: { shortcode: false, unicode: false },
    math: false,
    script: { source: 'inline' },
  },
  bespoke: { progress: true },
}
