export function ProjectActivityPage({ id }: { id: string }) { return <p>{id}</p>; }
