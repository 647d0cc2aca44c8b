// The root layout: the document, the global styles and the data provider around every page.
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { TRPCProvider } from '@/components/trpc-provider';
import './globals.css';

export const metadata: Metadata = {
  title: 'Weft',
  description: 'Build chat apps and AI workflows',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCProvider>{children}</TRPCProvider>
      </body>
    </html>
  );
}
