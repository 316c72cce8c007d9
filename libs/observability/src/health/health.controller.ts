import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { ReadinessReport } from './readiness-probe';
import { ReadinessService } from './readiness.service';

/** Liveness and readiness endpoints for orchestrators and load balancers. */
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Alive: the event loop answers. Checks no dependency, so an outage never restarts the pod. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready: 200 when every dependency answers, else 503 naming each failing one and why. */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) res: Response): Promise<ReadinessReport> {
    const report = await this.readiness.check();
    res.status(report.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    res.setHeader('Cache-Control', 'no-store');
    return report;
  }
}
