import { ReceiptDto } from '../../core/http/receipt.dto.js';

export class FigureEntityViewDto {
  type: string;
  /** Expanded IRI of the entity. */
  id: string;
  label?: string;
  role: string;
  /** IRI of the tag itself: <panel IRI>#tag-n. */
  tag: string;
}

export class FigurePanelViewDto {
  id: string;
  iri: string;
  label: string;
  name: string;
  caption: string | null;
  sourceData: string[];
  sourceImages: string[];
  entities: FigureEntityViewDto[];
}

export class FigureDto {
  id: string;
  iri: string;
  publication: string;
  label: string;
  caption: string | null;
  panels: FigurePanelViewDto[];
}

export class CreatedFigureDto extends FigureDto {
  receipt: ReceiptDto;
}
