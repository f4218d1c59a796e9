import { WeightedChoices } from '../../../src/generate/random.js';

/**
 * The medical world the claims generator draws from: US-style regions with price levels, provider
 * specialties with their CPT procedure codes (typical allowed amounts, in dollars) and ICD-10
 * diagnosis codes. Prices are rough 2020s averages; what matters for the pipeline is that amounts
 * differ by orders of magnitude across procedures (heavy tails) and moderately within one.
 */

export interface Region {
  readonly id: string;
  /** Multiplies every price billed there. */
  readonly priceFactor: number;
  /** Share of patients and providers. */
  readonly share: number;
}

export const REGIONS: readonly Region[] = [
  { id: 'northeast', priceFactor: 1.18, share: 18 },
  { id: 'southeast', priceFactor: 0.92, share: 24 },
  { id: 'midwest', priceFactor: 0.95, share: 21 },
  { id: 'southwest', priceFactor: 0.97, share: 14 },
  { id: 'west', priceFactor: 1.12, share: 23 },
];

export interface Procedure {
  readonly code: string;
  readonly description: string;
  /** Typical amount in dollars before region and provider factors. */
  readonly price: number;
  /** Relative frequency within the specialty. */
  readonly weight: number;
}

export interface Specialty {
  readonly id: string;
  /** Relative number of providers. */
  readonly providers: number;
  /** Sees patients at weekends as a matter of course. */
  readonly weekends: boolean;
  /** Patient ages treated, inclusive. */
  readonly ages: readonly [number, number];
  /** Only this gender, where the specialty implies one. */
  readonly gender?: 'F';
  readonly claimType: 'professional' | 'institutional';
  readonly procedures: readonly Procedure[];
  readonly diagnoses: readonly string[];
}

const p = (code: string, description: string, price: number, weight: number): Procedure => ({ code, description, price, weight });

export const SPECIALTIES: readonly Specialty[] = [
  {
    id: 'family_medicine',
    providers: 30,
    weekends: false,
    ages: [0, 100],
    claimType: 'professional',
    procedures: [
      p('99213', 'office visit, established, low', 115, 40),
      p('99214', 'office visit, established, moderate', 170, 25),
      p('99203', 'office visit, new patient', 160, 8),
      p('36415', 'venipuncture', 12, 12),
      p('80053', 'comprehensive metabolic panel', 38, 10),
      p('90471', 'immunization administration', 28, 5),
    ],
    diagnoses: ['Z00.00', 'I10', 'E11.9', 'J06.9', 'E78.5', 'M54.50'],
  },
  {
    id: 'pediatrics',
    providers: 9,
    weekends: false,
    ages: [0, 17],
    claimType: 'professional',
    procedures: [
      p('99392', 'well child visit, 1–4 years', 180, 25),
      p('99213', 'office visit, established, low', 105, 30),
      p('90460', 'vaccine administration', 26, 25),
      p('87880', 'rapid strep test', 30, 20),
    ],
    diagnoses: ['Z00.129', 'J06.9', 'H66.90', 'J02.9'],
  },
  {
    id: 'cardiology',
    providers: 7,
    weekends: false,
    ages: [30, 100],
    claimType: 'professional',
    procedures: [
      p('99214', 'office visit, established, moderate', 185, 30),
      p('93000', 'electrocardiogram', 48, 25),
      p('93306', 'echocardiogram', 620, 20),
      p('78452', 'nuclear stress test', 1350, 10),
      p('93458', 'cardiac catheterization', 3900, 5),
      p('99204', 'office visit, new patient', 250, 10),
    ],
    diagnoses: ['I25.10', 'I48.91', 'I10', 'R07.9', 'I50.9'],
  },
  {
    id: 'orthopedics',
    providers: 7,
    weekends: false,
    ages: [10, 95],
    claimType: 'professional',
    procedures: [
      p('99213', 'office visit, established, low', 120, 25),
      p('20610', 'major joint injection', 215, 20),
      p('73721', 'MRI lower extremity joint', 1050, 15),
      p('29881', 'knee arthroscopy', 4600, 10),
      p('27447', 'total knee arthroplasty', 27500, 4),
      p('73030', 'shoulder x-ray', 55, 26),
    ],
    diagnoses: ['M17.11', 'M25.561', 'S83.241A', 'M75.101'],
  },
  {
    id: 'radiology',
    providers: 6,
    weekends: false,
    ages: [0, 100],
    claimType: 'professional',
    procedures: [
      p('71046', 'chest x-ray, 2 views', 62, 35),
      p('74177', 'CT abdomen and pelvis with contrast', 880, 20),
      p('70553', 'MRI brain with and without contrast', 1550, 10),
      p('77067', 'screening mammography', 210, 20),
      p('76700', 'ultrasound abdomen', 290, 15),
    ],
    diagnoses: ['R06.02', 'R10.9', 'G43.909', 'Z12.31'],
  },
  {
    id: 'emergency_medicine',
    providers: 6,
    weekends: true,
    ages: [0, 100],
    claimType: 'institutional',
    procedures: [
      p('99283', 'emergency visit, moderate', 360, 35),
      p('99284', 'emergency visit, high', 620, 35),
      p('99285', 'emergency visit, highest', 1150, 20),
      p('12002', 'simple laceration repair', 310, 10),
    ],
    diagnoses: ['R07.9', 'S01.81XA', 'R10.9', 'J18.9'],
  },
  {
    id: 'urgent_care',
    providers: 5,
    weekends: true,
    ages: [0, 100],
    claimType: 'professional',
    procedures: [
      p('99213', 'office visit, established, low', 140, 40),
      p('99214', 'office visit, established, moderate', 190, 25),
      p('87880', 'rapid strep test', 32, 20),
      p('71046', 'chest x-ray, 2 views', 70, 15),
    ],
    diagnoses: ['J06.9', 'J02.9', 'S93.401A', 'N39.0'],
  },
  {
    id: 'hospital_medicine',
    providers: 4,
    weekends: true,
    ages: [18, 100],
    claimType: 'institutional',
    procedures: [
      p('99223', 'initial hospital care, high', 410, 25),
      p('99232', 'subsequent hospital care', 165, 45),
      p('99239', 'hospital discharge, > 30 minutes', 195, 30),
    ],
    diagnoses: ['J18.9', 'N39.0', 'I50.9', 'A41.9'],
  },
  {
    id: 'psychiatry',
    providers: 5,
    weekends: false,
    ages: [6, 95],
    claimType: 'professional',
    procedures: [
      p('90834', 'psychotherapy, 45 minutes', 125, 40),
      p('90837', 'psychotherapy, 60 minutes', 170, 30),
      p('90792', 'psychiatric evaluation with medical services', 310, 10),
      p('99214', 'office visit, established, moderate', 175, 20),
    ],
    diagnoses: ['F32.9', 'F41.1', 'F43.10', 'F90.9'],
  },
  {
    id: 'physical_therapy',
    providers: 6,
    weekends: false,
    ages: [8, 95],
    claimType: 'professional',
    procedures: [
      p('97110', 'therapeutic exercise, 15 minutes', 46, 40),
      p('97140', 'manual therapy, 15 minutes', 42, 30),
      p('97161', 'physical therapy evaluation', 115, 15),
      p('97530', 'therapeutic activities, 15 minutes', 50, 15),
    ],
    diagnoses: ['M54.50', 'M25.511', 'S93.401A', 'M17.11'],
  },
  {
    id: 'dermatology',
    providers: 4,
    weekends: false,
    ages: [0, 100],
    claimType: 'professional',
    procedures: [
      p('99213', 'office visit, established, low', 115, 35),
      p('11102', 'tangential skin biopsy', 155, 25),
      p('17000', 'destruction of premalignant lesion', 118, 25),
      p('17110', 'destruction of benign lesions', 150, 15),
    ],
    diagnoses: ['L57.0', 'L70.0', 'D22.9', 'L82.1'],
  },
  {
    id: 'obstetrics',
    providers: 4,
    weekends: false,
    ages: [16, 46],
    gender: 'F',
    claimType: 'professional',
    procedures: [
      p('59400', 'routine obstetric care incl. vaginal delivery', 5900, 6),
      p('76805', 'obstetric ultrasound', 285, 30),
      p('76815', 'limited obstetric ultrasound', 190, 24),
      p('99213', 'office visit, established, low', 120, 40),
    ],
    diagnoses: ['Z34.90', 'O09.90', 'Z3A.20'],
  },
  {
    id: 'oncology',
    providers: 3,
    weekends: false,
    ages: [20, 100],
    claimType: 'professional',
    procedures: [
      p('96413', 'chemotherapy infusion, first hour', 540, 30),
      p('96415', 'chemotherapy infusion, each additional hour', 115, 20),
      p('99215', 'office visit, established, high', 240, 30),
      p('77386', 'intensity modulated radiation therapy', 1300, 20),
    ],
    diagnoses: ['C50.911', 'C34.90', 'C18.9', 'D64.9'],
  },
  {
    id: 'general_surgery',
    providers: 3,
    weekends: false,
    ages: [16, 95],
    claimType: 'institutional',
    procedures: [
      p('47562', 'laparoscopic cholecystectomy', 9400, 20),
      p('49505', 'inguinal hernia repair', 5800, 25),
      p('99204', 'office visit, new patient', 235, 40),
      p('10060', 'incision and drainage of abscess', 260, 15),
    ],
    diagnoses: ['K80.20', 'K40.90', 'L02.91'],
  },
];

/** Procedure choices per specialty, prepared once. */
export const PROCEDURE_CHOICES: ReadonlyMap<Specialty, WeightedChoices<Procedure>> = new Map(
  SPECIALTIES.map((s) => [s, new WeightedChoices(s.procedures.map((proc) => [proc, proc.weight] as const))]),
);

export const REGION_CHOICES = new WeightedChoices<Region>(REGIONS.map((r) => [r, r.share] as const));

/**
 * Relative visits per patient by specialty: how often a patient of a kind ends up at each. Weights
 * are per (age band, gender), restricted to specialties that treat that patient.
 */
const VISIT_SHARE: Readonly<Record<string, number>> = {
  family_medicine: 30,
  pediatrics: 45,
  cardiology: 6,
  orthopedics: 7,
  radiology: 8,
  emergency_medicine: 5,
  urgent_care: 6,
  hospital_medicine: 3,
  psychiatry: 5,
  physical_therapy: 8,
  dermatology: 4,
  obstetrics: 6,
  oncology: 2,
  general_surgery: 2,
};

/** Seniors see cardiology, oncology and hospitalists more often. */
function visitWeight(specialty: Specialty, age: number): number {
  const base = VISIT_SHARE[specialty.id] ?? 1;
  if (age >= 65 && ['cardiology', 'oncology', 'hospital_medicine', 'orthopedics'].includes(specialty.id)) return base * 2.5;
  return base;
}

const AGE_BANDS = [0, 6, 10, 16, 18, 20, 30, 47, 65, 96, 101] as const;

/** The band index of an age: ages within a band are treated by the same specialties. */
export function ageBand(age: number): number {
  let band = 0;
  while (band < AGE_BANDS.length - 2 && age >= (AGE_BANDS[band + 1] as number)) band++;
  return band;
}

/** Specialty choices per (age band, gender): built once, 20 small tables. */
export const SPECIALTY_CHOICES: ReadonlyArray<Readonly<Record<'F' | 'M', WeightedChoices<Specialty>>>> = AGE_BANDS.slice(0, -1).map((from) => {
  const forGender = (gender: 'F' | 'M'): WeightedChoices<Specialty> =>
    new WeightedChoices(
      SPECIALTIES.filter((s) => from >= s.ages[0] && from <= s.ages[1] && (s.gender === undefined || s.gender === gender)).map(
        (s) => [s, visitWeight(s, from)] as const,
      ),
    );
  return { F: forGender('F'), M: forGender('M') };
});
