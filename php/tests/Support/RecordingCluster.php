<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Support;

use RealtimeBookings\Redis\ClusterConnection;

/** A {@see RecordingRedis} that says it is a Redis Cluster connection. */
final class RecordingCluster extends RecordingRedis implements ClusterConnection
{
}
