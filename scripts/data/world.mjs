// Makes crates/palermo-api/src/web/assets/world.svg, the land under the statistics page's
// routes: Natural Earth's 1:110m land (public domain) as packaged by world-atlas 2.0.2 (ISC),
// decoded with topojson-client 3.1.0 (ISC), drawn in the equirectangular projection the page
// uses (720 × 360, longitude -180 at the left, latitude 90 at the top). Run:
//   D=$(mktemp -d) && (cd $D && npm install --no-save world-atlas@2.0.2 topojson-client@3.1.0) \
//     && NODE_PATH=$D/node_modules node scripts/data/world.mjs > crates/palermo-api/src/web/assets/world.svg
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH, 'x.js'));
const topology = require('world-atlas/land-110m.json');
const { feature } = require('topojson-client');

const width = 720;
const height = 360;
const x = (lon) => ((lon + 180) / 360) * width;
const y = (lat) => ((90 - lat) / 180) * height;
const land = feature(topology, topology.objects.land);
const rings = [];
for (const shape of land.features ?? [land]) {
  const geometry = shape.geometry;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      let d = '';
      let previous = null;
      for (const [lon, lat] of ring) {
        const point = `${x(lon).toFixed(1)},${y(lat).toFixed(1)}`;
        if (point === previous) continue;
        d += (d ? 'L' : 'M') + point;
        previous = point;
      }
      rings.push(d + 'Z');
    }
  }
}
process.stdout.write(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}">` +
  `<!-- Natural Earth 1:110m land (public domain), via world-atlas 2.0.2 (ISC); made by scripts/data/world.mjs -->` +
  `<path fill="#d7dde3" stroke="#b9c2cb" stroke-width="0.4" fill-rule="evenodd" d="${rings.join('')}"/></svg>\n`,
);
