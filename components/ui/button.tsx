// The studio's button, in primary / secondary / danger / ghost styles.
import type { ButtonHTMLAttributes } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

export function buttonClass(variant: ButtonVariant = 'secondary', small = false): string {
  return ['btn', `btn-${variant}`, small ? 'btn-sm' : ''].filter(Boolean).join(' ');
}

interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  small?: boolean;
}

export function Button({ variant, small, className, type = 'button', ...props }: ButtonProps) {
  const classes = [buttonClass(variant, small), className].filter(Boolean).join(' ');
  return <button type={type} className={classes} {...props} />;
}
