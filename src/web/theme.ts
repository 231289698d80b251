import { Anchor, type CSSVariablesResolver, createTheme } from '@mantine/core';

/**
 * Shade 8 of the primary colour keeps white text on filled buttons and blue links on white
 * above the 4.5:1 contrast ratio of WCAG 2.1 AA (shade 6, Mantine's default, is about 3.5:1).
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  focusRing: 'auto',
  // Modals and menus appear without animation for those who ask the system for less motion.
  respectReducedMotion: true,
  defaultRadius: 'sm',
  components: {
    // Links are underlined so they are not told apart from text by colour alone (WCAG 1.4.1).
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
  },
});

/**
 * Mantine's "dimmed" text (input descriptions, hints) is gray.6, 3.3:1 on white: too faint for
 * AA. gray.7 is about 8:1. Its error text (a field's message, the required asterisk) is red.6,
 * also 3.3:1; red.9 is about 5.5:1.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  },
  dark: {},
});
