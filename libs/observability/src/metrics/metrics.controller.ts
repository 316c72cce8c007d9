import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.constants';

/** Serves the service's registry in the Prometheus text exposition format. */
@Controller()
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get('metrics')
  async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    // Collect before setting the header so a failing collector surfaces as a 500, not a half-written 200.
    const body = await this.registry.metrics();
    res.setHeader('Content-Type', this.registry.contentType);
    return body;
  }
}
