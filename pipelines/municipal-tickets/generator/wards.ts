/**
 * Bengaluru (BBMP) wards the generated tickets come from: 50 of the 198 wards of the 2009
 * delimitation, spread over the core, the inner ring and the fast-growing periphery.
 *
 * Sources and accuracy: ward numbers and names are BBMP's. Wards 2, 3, 7, 87 and 160 carry the
 * population, area and centroid of the attribute table published with BBMP's 2012 ward map
 * (datameet/Municipal_Spatial_Data, `BBMP_oldWards.kml`, CC BY-SA 2.5 IN). For the others the
 * population (Census 2011 order of magnitude), area and centroid are approximations, good to
 * roughly ±20% and ±1 km — realistic enough for density features, not for planning. Pincodes are
 * the India Post codes of each ward's main locality.
 *
 * `reportingFactor` and `escalationBase` are modelling choices, not data: tech-corridor wards file
 * far more complaints per resident (mostly through the app), and the under-served periphery sees
 * more escalations.
 */

export type WardProfile = 'core' | 'inner' | 'outer';

export interface Ward {
  readonly no: number;
  readonly name: string;
  /** How tickets name the ward (`location.ward`), and the join key in wards.csv: "Ward 150 - Bellandur". */
  readonly label: string;
  readonly pincode: string;
  /** Approximate centroid, degrees. */
  readonly lat: number;
  readonly lon: number;
  readonly population: number;
  readonly areaKm2: number;
  /** Residents per km², rounded. */
  readonly populationDensity: number;
  /** Dense old core, inner ring, or large peripheral ward (by area); shifts the complaint mix. */
  readonly profile: WardProfile;
  /** Complaints per resident relative to the city average. */
  readonly reportingFactor: number;
  /** Share of tickets escalated before the category factor (5–25% after it). */
  readonly escalationBase: number;
}

// [no, name, pincode, lat, lon, population, area km², reportingFactor, escalationBase]
type WardRow = readonly [number, string, string, number, number, number, number, number, number];

const ROWS: readonly WardRow[] = [
  [2, 'Chowdeswari Ward', '560064', 13.1217, 77.5804, 19626, 7.06, 0.8, 0.09],
  [3, 'Atturu', '560064', 13.1028, 77.56, 24020, 10.15, 0.8, 0.1],
  [4, 'Yelahanka Satellite Town', '560064', 13.097, 77.594, 38120, 4.92, 1.0, 0.08],
  [5, 'Jakkur', '560064', 13.078, 77.607, 33450, 12.48, 1.3, 0.12],
  [7, 'Byatarayanapura', '560092', 13.0611, 77.5974, 31400, 9.6, 1.0, 0.1],
  [9, 'Vidyaranyapura', '560097', 13.078, 77.556, 38740, 4.83, 1.0, 0.09],
  [17, 'J P Park', '560054', 13.045, 77.54, 42310, 3.42, 1.0, 0.09],
  [21, 'Hebbal', '560024', 13.0358, 77.597, 36980, 3.91, 1.1, 0.1],
  [24, 'HBR Layout', '560043', 13.035, 77.63, 40150, 3.62, 1.2, 0.1],
  [25, 'Horamavu', '560043', 13.03, 77.66, 57230, 10.34, 1.5, 0.14],
  [26, 'Ramamurthy Nagar', '560016', 13.015, 77.678, 50460, 6.21, 1.1, 0.12],
  [27, 'Banasavadi', '560043', 13.0143, 77.6456, 43050, 2.93, 1.0, 0.09],
  [37, 'Yeshwanthpur', '560022', 13.023, 77.55, 38210, 3.71, 0.9, 0.09],
  [41, 'Peenya Industrial Area', '560058', 13.0314, 77.519, 42480, 11.82, 0.8, 0.11],
  [45, 'Malleswaram', '560003', 13.0035, 77.57, 33120, 1.87, 1.2, 0.06],
  [52, 'K R Puram', '560036', 13.007, 77.695, 44370, 6.72, 1.0, 0.13],
  [57, 'C V Raman Nagar', '560093', 12.985, 77.663, 41020, 3.31, 1.1, 0.09],
  [63, 'Jayamahal', '560046', 12.998, 77.6, 36240, 2.43, 0.9, 0.07],
  [84, 'Hagadur', '560066', 12.984, 77.75, 53370, 14.61, 1.8, 0.15],
  [85, 'Dodda Nekkundi', '560037', 12.98, 77.705, 56120, 7.83, 1.5, 0.13],
  [86, 'Marathahalli', '560037', 12.956, 77.701, 52390, 9.42, 1.9, 0.14],
  [87, 'HAL Airport', '560017', 12.9565, 77.6715, 33066, 6.8, 1.2, 0.1],
  [88, 'Jeevanbhima Nagar', '560075', 12.969, 77.654, 34180, 2.18, 1.2, 0.07],
  [90, 'Halsoor', '560008', 12.978, 77.625, 32410, 2.04, 1.0, 0.08],
  [92, 'Shivaji Nagar', '560051', 12.986, 77.605, 36520, 0.84, 0.8, 0.08],
  [93, 'Vasanth Nagar', '560052', 12.99, 77.592, 28130, 2.61, 0.9, 0.06],
  [99, 'Rajaji Nagar', '560010', 12.992, 77.553, 34260, 1.42, 1.0, 0.07],
  [109, 'Chickpete', '560053', 12.97, 77.578, 33040, 0.91, 0.7, 0.09],
  [112, 'Domlur', '560071', 12.961, 77.638, 35170, 2.82, 1.4, 0.08],
  [123, 'Vijayanagar', '560040', 12.971, 77.537, 37150, 1.78, 1.0, 0.07],
  [128, 'Nagarabhavi', '560072', 12.96, 77.51, 45230, 5.63, 1.0, 0.1],
  [129, 'Jnana Bharathi', '560056', 12.9346, 77.5027, 42070, 15.04, 0.9, 0.12],
  [140, 'Chamrajapet', '560018', 12.959, 77.565, 34010, 1.31, 0.7, 0.08],
  [147, 'Adugodi', '560030', 12.943, 77.61, 41260, 2.12, 1.0, 0.09],
  [148, 'Ejipura', '560047', 12.938, 77.63, 46310, 1.96, 1.1, 0.1],
  [149, 'Varthur', '560087', 12.94, 77.745, 62180, 33.54, 1.7, 0.16],
  [150, 'Bellandur', '560103', 12.9259, 77.6762, 58430, 18.62, 2.2, 0.16],
  [151, 'Koramangala', '560034', 12.9352, 77.6245, 37020, 3.82, 1.9, 0.08],
  [153, 'Jayanagar', '560011', 12.93, 77.583, 33150, 1.92, 1.3, 0.06],
  [154, 'Basavanagudi', '560004', 12.942, 77.574, 34480, 1.63, 1.1, 0.06],
  [159, 'Kengeri', '560060', 12.908, 77.485, 43120, 16.81, 0.9, 0.13],
  [160, 'Rajarajeshwari Nagar', '560098', 12.9188, 77.5221, 23282, 11.35, 1.0, 0.11],
  [172, 'Madivala', '560068', 12.922, 77.617, 38060, 2.41, 1.2, 0.09],
  [174, 'HSR Layout', '560102', 12.9116, 77.6474, 47210, 6.43, 2.0, 0.11],
  [175, 'Bommanahalli', '560068', 12.9, 77.63, 55040, 6.92, 1.3, 0.13],
  [176, 'BTM Layout', '560076', 12.9166, 77.6101, 48150, 2.53, 1.6, 0.1],
  [177, 'J P Nagar', '560078', 12.906, 77.585, 38330, 2.94, 1.3, 0.08],
  [192, 'Begur', '560068', 12.88, 77.625, 54230, 12.21, 1.4, 0.15],
  [194, 'Gottigere', '560083', 12.856, 77.594, 41080, 9.03, 1.0, 0.13],
  [196, 'Anjanapura', '560062', 12.858, 77.557, 37240, 13.18, 0.8, 0.14],
];

function profileOf(areaKm2: number): WardProfile {
  if (areaKm2 >= 8) return 'outer';
  return areaKm2 <= 2 ? 'core' : 'inner';
}

/**
 * The wards, ordered by ward number.
 *
 * @example
 * WARDS.find((w) => w.no === 150)?.populationDensity; // 3138
 */
export const WARDS: readonly Ward[] = Object.freeze(
  ROWS.map(([no, name, pincode, lat, lon, population, areaKm2, reportingFactor, escalationBase]) =>
    Object.freeze({
      no,
      name,
      label: `Ward ${no} - ${name}`,
      pincode,
      lat,
      lon,
      population,
      areaKm2,
      populationDensity: Math.round(population / areaKm2),
      profile: profileOf(areaKm2),
      reportingFactor,
      escalationBase,
    }),
  ),
);

/** Header of wards.csv. */
export const WARDS_CSV_COLUMNS = ['ward', 'ward_name', 'pincode', 'lat', 'lon', 'population', 'area_km2', 'population_density'] as const;

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The ward lookup table as CSV (RFC 4180, `\n` line ends, trailing newline). `ward` is the label
 * tickets carry in `location.ward`, so the pipeline joins on it directly.
 *
 * @example
 * wardsCsv().split('\n')[1]; // 'Ward 2 - Chowdeswari Ward,Chowdeswari Ward,560064,13.1217,77.5804,19626,7.06,2780'
 */
export function wardsCsv(): string {
  const lines = [WARDS_CSV_COLUMNS.join(',')];
  for (const w of WARDS) {
    lines.push([w.label, w.name, w.pincode, w.lat, w.lon, w.population, w.areaKm2, w.populationDensity].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
