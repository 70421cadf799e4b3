import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { ItemFilter } from '../../src-main/shared/contract';
import type { ClassifyAnswer } from '../../src-main/shared/predict';

/** What another view asks Browse to show: a filter and the chip that names it ("labelled A, predicted B, run R"). */
export interface BrowseRequest {
  filter: ItemFilter;
  chip: string;
  /** a new number per request, so asking twice for the same filter still applies it */
  seq: number;
}

/** Items of the grid sent to the Classify view ("Classify selected"). */
export interface ClassifyRequest {
  answer: Promise<ClassifyAnswer>;
  /** what was asked for, shown while the answer is on its way */
  label: string;
  seq: number;
}

/** What another view asks Review to show: a run's queue, filtered to a (labelled, suggested) pair (Evaluate's confused pairs). */
export interface ReviewRequest {
  run: string;
  labelled: number | null;
  suggested: number | null;
  seq: number;
}

export type ViewId = 'browse' | 'balance' | 'export' | 'train' | 'evaluate' | 'review' | 'duplicates' | 'classify';

interface Navigation {
  browseRequest: BrowseRequest | null;
  classifyRequest: ClassifyRequest | null;
  reviewRequest: ReviewRequest | null;
  showInBrowse: (filter: ItemFilter, chip: string) => void;
  classifyInView: (answer: Promise<ClassifyAnswer>, label: string) => void;
  showInReview: (run: string, labelled: number | null, suggested: number | null) => void;
  showView: (view: ViewId) => void;
}

const NavigationContext = createContext<Navigation>({
  browseRequest: null,
  classifyRequest: null,
  reviewRequest: null,
  showInBrowse: () => {},
  classifyInView: () => {},
  showInReview: () => {},
  showView: () => {},
});

export function useNavigation(): Navigation {
  return useContext(NavigationContext);
}

/** Lets one view open another with something to show (a number in Evaluate -> its items in Browse). */
export function NavigationProvider({ onView, children }: { onView: (view: ViewId) => void; children: ReactNode }) {
  const [browseRequest, setBrowseRequest] = useState<BrowseRequest | null>(null);
  const [classifyRequest, setClassifyRequest] = useState<ClassifyRequest | null>(null);
  const showInBrowse = useCallback(
    (filter: ItemFilter, chip: string) => {
      setBrowseRequest((r) => ({ filter, chip, seq: (r?.seq ?? 0) + 1 }));
      onView('browse');
    },
    [onView],
  );
  const classifyInView = useCallback(
    (answer: Promise<ClassifyAnswer>, label: string) => {
      setClassifyRequest((r) => ({ answer, label, seq: (r?.seq ?? 0) + 1 }));
      onView('classify');
    },
    [onView],
  );
  const [reviewRequest, setReviewRequest] = useState<ReviewRequest | null>(null);
  const showInReview = useCallback(
    (run: string, labelled: number | null, suggested: number | null) => {
      setReviewRequest((r) => ({ run, labelled, suggested, seq: (r?.seq ?? 0) + 1 }));
      onView('review');
    },
    [onView],
  );
  const value = useMemo(
    () => ({ browseRequest, classifyRequest, reviewRequest, showInBrowse, classifyInView, showInReview, showView: onView }),
    [browseRequest, classifyRequest, reviewRequest, showInBrowse, classifyInView, showInReview, onView],
  );
  return <NavigationContext.Provider value={value}>{children}</NavigationContext.Provider>;
}
