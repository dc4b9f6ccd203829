/**
 * POST /v1/figures as the SourceData figure model (provenance.md §6): a figure of a publication, panels with a
 * position label, the datasets and images each panel plots, and tagged entities with their experimental role.
 * Pure: ontology CURIEs expand from the datasets' fixed prefix table.
 */
import { expandOntologyTerm } from '../datasets/datasets.rules.js';
import type { EntityTagRole, EntityTagType, StoredEntityTag } from '../provenance/graph-mapping.rules.js';

export interface FigureEntityInput {
  type: EntityTagType;
  id: string;
  label?: string;
  role?: EntityTagRole;
}

export interface FigurePanelInput {
  label: string;
  caption?: string;
  sourceData: readonly string[];
  sourceImages?: readonly string[];
  entities?: readonly FigureEntityInput[];
}

export interface FigureInput {
  label: string;
  caption?: string;
  panels: readonly FigurePanelInput[];
}

export interface PlannedPanel {
  index: number;
  label: string;
  /** "Figure 2" + "B" → "Figure 2B". */
  name: string;
  caption: string | null;
  sourceData: string[];
  sourceImages: string[];
  /** Tagged entities (tag-1, tag-2 … in the order given). */
  entities: StoredEntityTag[];
  /** IRIs of what the panel is about: every tagged entity except assays. */
  about: string[];
  /** IRIs of the assays (imaging methods) tagged on the panel. */
  measurementTechnique: string[];
}

export interface FigureProblem {
  code: 'DUPLICATE_PANEL_LABEL' | 'PANEL_SOURCE_REQUIRED' | 'UNKNOWN_ONTOLOGY_TERM';
  field: string;
  message: string;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Panel name as SourceData writes it: the figure label directly followed by the panel label. */
export function panelName(figureLabel: string, panelLabel: string): string {
  return `${figureLabel.trim()}${panelLabel.trim()}`;
}

export function planFigure(
  input: FigureInput,
): { ok: true; panels: PlannedPanel[] } | { ok: false; problems: FigureProblem[] } {
  const problems: FigureProblem[] = [];
  const seenLabels = new Map<string, number>();
  const panels: PlannedPanel[] = [];
  input.panels.forEach((panel, index) => {
    const field = `panels.${index}`;
    const labelKey = panel.label.trim().toLowerCase();
    const first = seenLabels.get(labelKey);
    if (first !== undefined) {
      problems.push({
        code: 'DUPLICATE_PANEL_LABEL',
        field: `${field}.label`,
        message: `repeats the label of panels.${first}`,
      });
    } else {
      seenLabels.set(labelKey, index);
    }
    const sourceData = unique(panel.sourceData);
    const sourceImages = unique(panel.sourceImages ?? []);
    if (sourceData.length + sourceImages.length === 0) {
      problems.push({
        code: 'PANEL_SOURCE_REQUIRED',
        field: `${field}.sourceData`,
        message: 'a panel names the data it plots',
      });
    }
    const entities: StoredEntityTag[] = [];
    (panel.entities ?? []).forEach((entity, position) => {
      const iri = expandOntologyTerm(entity.id);
      if (iri === null) {
        problems.push({
          code: 'UNKNOWN_ONTOLOGY_TERM',
          field: `${field}.entities.${position}.id`,
          message: `"${entity.id}" is not an IRI or a CURIE with a known prefix (NCBITaxon, GO, CL, CHEBI, UBERON, FBbi, OBI, CMPO, EDAM …)`,
        });
        return;
      }
      // SourceData gives assays no role, the contract requires one: `component` (provenance.md §6).
      const tag: StoredEntityTag = {
        tag: `tag-${position + 1}`,
        type: entity.type,
        id: iri,
        role: entity.role ?? 'component',
      };
      if (entity.label !== undefined) tag.label = entity.label;
      entities.push(tag);
    });
    panels.push({
      index,
      label: panel.label,
      name: panelName(input.label, panel.label),
      caption: panel.caption ?? null,
      sourceData,
      sourceImages,
      entities,
      about: unique(entities.filter((tag) => tag.type !== 'assay').map((tag) => tag.id)),
      measurementTechnique: unique(entities.filter((tag) => tag.type === 'assay').map((tag) => tag.id)),
    });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, panels };
}
