import { useEffect } from 'react';

/** Sets the document title (WCAG 2.4.2) as "<page> · Shelfshare". */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title === 'Shelfshare' ? title : `${title} · Shelfshare`;
  }, [title]);
}
