import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { Controller, Get, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { SubscriptionConfig } from '../config';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import type { PortalSettings } from './portal.config';

/** The portal's page, at the root of its build output. */
const INDEX_FILE = 'index.html';
/** Folder of the bundles. */
const ASSETS_FOLDER = 'assets';
// A content hash in a bundle's name (`portal-EK63FT6B.js`): the name changes with the content, so the
// file never goes stale. Files named otherwise (a favicon) are revalidated like the page.
const HASHED_NAME = /-(?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{6,}\./;
const IMMUTABLE = 'public, max-age=31536000, immutable';
// A path segment that may name a file: no traversal, no hidden files, nothing a file system reads specially.
const SAFE_SEGMENT = /^[A-Za-z0-9_@~+-][A-Za-z0-9_.@~+-]*$/;

/**
 * The Content-Security-Policy of every portal answer: everything from this origin only, no plugins,
 * no inline script, and framing only by `PORTAL_FRAME_ANCESTORS`.
 */
export function portalContentSecurityPolicy(settings: PortalSettings): string {
  return [
    "default-src 'self'",
    `frame-ancestors ${settings.frameAncestors.join(' ')}`,
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
    "img-src 'self' data:",
  ].join('; ');
}

/**
 * Serves the customer portal's built files at `/portal/` (its page at `/portal/`, its bundles under
 * `/portal/assets/`) from `PORTAL_ASSETS_DIR`. `/portal` redirects to `/portal/`, so the page's
 * relative references resolve below it. The folder is read on each request, so a portal built after
 * the service started is served; without it `/portal/` answers 404 saying so. A file that does not
 * exist answers 404 (the portal routes within its page, by the URL's fragment).
 */
@ApiExcludeController()
@Controller('portal')
export class PortalAssetsController {
  private readonly settings: PortalSettings;
  private readonly root: string;
  private readonly policy: string;

  constructor(@Inject(SUBSCRIPTION_CONFIG) config: SubscriptionConfig) {
    this.settings = config.portal;
    this.root = resolve(this.settings.assetsDir);
    this.policy = portalContentSecurityPolicy(this.settings);
  }

  @Get()
  async index(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!request.path.endsWith('/')) {
      // Relative to the request, so it holds behind a proxy that serves the API below a path.
      const query = request.originalUrl.indexOf('?');
      this.secure(response);
      response.redirect(301, `portal/${query < 0 ? '' : request.originalUrl.slice(query)}`);
      return;
    }
    await this.send(response, []);
  }

  @Get('*path')
  async file(@Param('path') path: string[] | string, @Res() response: Response): Promise<void> {
    await this.send(response, Array.isArray(path) ? path : path.split('/'));
  }

  private secure(response: Response): void {
    response.setHeader('Content-Security-Policy', this.policy);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
  }

  private async send(response: Response, segments: readonly string[]): Promise<void> {
    this.secure(response);
    if (!(await isDirectory(this.root)))
      throw new NotFoundException(
        'The customer portal is not built: its files are not installed on this service',
      );
    const parts = segments.filter((segment) => segment !== '');
    if (parts.some((segment) => !SAFE_SEGMENT.test(segment)))
      throw new NotFoundException('No such portal file');
    const file = parts.length === 0 ? INDEX_FILE : parts.join('/');
    const path = join(this.root, ...file.split('/'));
    if (!path.startsWith(this.root + sep) || !(await isFile(path))) throw this.missing(parts);
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      // Gone since it was found: a build replacing the folder.
      throw this.missing(parts);
    }
    const hashed = parts[0] === ASSETS_FOLDER && HASHED_NAME.test(parts.at(-1)!);
    response.setHeader('Cache-Control', hashed ? IMMUTABLE : 'no-cache');
    response.type(extname(path) || 'application/octet-stream');
    response.status(200).send(body);
  }

  private missing(parts: readonly string[]): NotFoundException {
    return new NotFoundException(`No such portal file: /portal/${parts.join('/')}`);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
