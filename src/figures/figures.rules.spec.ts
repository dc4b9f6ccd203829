import { panelName, planFigure } from './figures.rules.js';
import type { FigureInput } from './figures.rules.js';

const D1 = '11111111-1111-4111-8111-111111111111';
const D2 = '22222222-2222-4222-8222-222222222222';
const IMG = '33333333-3333-4333-8333-333333333333';

describe('panelName', () => {
  it.each([
    ['Figure 2', 'B', 'Figure 2B'],
    ['Fig. 3 ', ' c', 'Fig. 3c'],
    ['Figure S1', 'A', 'Figure S1A'],
  ])('%s + %s = %s', (figure, panel, name) => {
    expect(panelName(figure, panel)).toBe(name);
  });
});

describe('planFigure', () => {
  it('plans panels with their sources, SourceData tags, about and assays', () => {
    const result = planFigure({
      label: 'Figure 2',
      panels: [
        {
          label: 'B',
          caption: 'Nuclear area',
          sourceData: [D1, D1],
          sourceImages: [IMG],
          entities: [
            {
              type: 'geneprod',
              id: 'http://purl.uniprot.org/uniprot/P02545',
              label: 'lamin A/C',
              role: 'intervention',
            },
            { type: 'subcellular', id: 'GO:0005634', role: 'assayed' },
            { type: 'assay', id: 'FBbi:00000251', label: 'confocal' },
            { type: 'assay', id: 'OBI:0000070', role: 'reporter' },
          ],
        },
      ],
    });
    expect(result).toEqual({
      ok: true,
      panels: [
        {
          index: 0,
          label: 'B',
          name: 'Figure 2B',
          caption: 'Nuclear area',
          sourceData: [D1],
          sourceImages: [IMG],
          entities: [
            {
              tag: 'tag-1',
              type: 'geneprod',
              id: 'http://purl.uniprot.org/uniprot/P02545',
              label: 'lamin A/C',
              role: 'intervention',
            },
            { tag: 'tag-2', type: 'subcellular', id: 'http://purl.obolibrary.org/obo/GO_0005634', role: 'assayed' },
            {
              tag: 'tag-3',
              type: 'assay',
              id: 'http://purl.obolibrary.org/obo/FBbi_00000251',
              label: 'confocal',
              role: 'component',
            },
            { tag: 'tag-4', type: 'assay', id: 'http://purl.obolibrary.org/obo/OBI_0000070', role: 'reporter' },
          ],
          about: ['http://purl.uniprot.org/uniprot/P02545', 'http://purl.obolibrary.org/obo/GO_0005634'],
          measurementTechnique: [
            'http://purl.obolibrary.org/obo/FBbi_00000251',
            'http://purl.obolibrary.org/obo/OBI_0000070',
          ],
        },
      ],
    });
  });

  it.each<[string, FigureInput, Array<[string, string]>]>([
    [
      'panel labels repeated in another case',
      {
        label: 'Figure 1',
        panels: [
          { label: 'A', sourceData: [D1] },
          { label: 'B', sourceData: [D2] },
          { label: 'a ', sourceData: [D2] },
        ],
      },
      [['DUPLICATE_PANEL_LABEL', 'panels.2.label']],
    ],
    [
      'a panel without any source',
      { label: 'Figure 1', panels: [{ label: 'A', sourceData: [], sourceImages: [] }] },
      [['PANEL_SOURCE_REQUIRED', 'panels.0.sourceData']],
    ],
    [
      'CURIEs outside the prefix table',
      {
        label: 'Figure 1',
        panels: [
          {
            label: 'A',
            sourceData: [D1],
            entities: [
              { type: 'geneprod', id: 'UniProt:P02545', role: 'assayed' },
              { type: 'cell', id: 'CL:0000000', role: 'component' },
              { type: 'molecule', id: 'chebi', role: 'intervention' },
            ],
          },
        ],
      },
      [
        ['UNKNOWN_ONTOLOGY_TERM', 'panels.0.entities.0.id'],
        ['UNKNOWN_ONTOLOGY_TERM', 'panels.0.entities.2.id'],
      ],
    ],
  ])('refuses %s', (_name, input, problems) => {
    const result = planFigure(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => [p.code, p.field])).toEqual(problems);
  });

  it('accepts a panel that shows images only', () => {
    const result = planFigure({ label: 'Figure 1', panels: [{ label: 'A', sourceData: [], sourceImages: [IMG] }] });
    expect(result.ok).toBe(true);
  });
});
